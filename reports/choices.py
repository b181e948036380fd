from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportType(models.TextChoices):
    HAZARD_LEDGER = "hazard_ledger", _("隐患台账")
    INSPECTION_MONTH = "inspection_month", _("安全生产检查日月度汇总")
    QUARTERLY = "quarterly", _("安全生产报表")
    SECURITY_HALF_YEAR = "security_half_year", _("4+N 建设半年进展")
    PROGRESS = "progress", _("安全生产工作信息报")
    HAZARD_STATS_QUARTER = "hazard_stats_quarter", _("隐患排查治理情况统计表(季度)")
    HAZARD_STATS_YEAR = "hazard_stats_year", _("隐患排查治理情况统计表(年度)")
    CAMPAIGN_SUMMARY = "campaign_summary", _("专项整治年度工作总结")


# The statutory 隐患排查治理情况统计表 (原国家安监总局令第16号 第十四条): each hospital confirms its own.
STATUTORY_REPORT_TYPES = (ReportType.HAZARD_STATS_QUARTER, ReportType.HAZARD_STATS_YEAR)
# Reports with the 工作开展情况 / 存在问题 / 下步打算 text sections bureau staff edit before export.
NARRATIVE_REPORT_TYPES = (ReportType.PROGRESS, ReportType.CAMPAIGN_SUMMARY)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季度")
    HALF_YEAR = "half", _("半年")
    WEEK = "week", _("周")
    YEAR = "year", _("年")
    CUSTOM = "custom", _("自定义")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    READY = "ready", _("已完成")
    FAILED = "failed", _("失败")


STATUS_BADGES = {
    ExportStatus.QUEUED: "secondary",
    ExportStatus.RUNNING: "info",
    ExportStatus.READY: "success",
    ExportStatus.FAILED: "danger",
}
