"""The half-year 4+N report as a printable A4 PDF, built from the report's frozen snapshot only.

The same file is downloaded by the hospital and its bureau and e-mailed to the police contact
(notifications.attachments rebuilds it at every attempt): everything printed comes from the
submitted report, so a retry a day later carries the same content.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from core.pdf import A4_TEXT_WIDTH, FONT, a4_pdf, grid_table, paragraph
from notifications.attachments import Attachment, AttachmentUnavailable

from .choices import ReportStatus
from .models import HalfYearReport

ATTACHMENT_NAME = "security.half_year_report_pdf"

_BODY = ParagraphStyle("sec-body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
_TITLE = ParagraphStyle("sec-title", fontName=FONT, fontSize=16, leading=22, alignment=TA_CENTER)
_SUBTITLE = ParagraphStyle(
    "sec-subtitle", parent=_BODY, alignment=TA_CENTER, textColor=colors.HexColor("#555555")
)
_SECTION = ParagraphStyle("sec-section", fontName=FONT, fontSize=12, leading=17, spaceBefore=8)


def _para(value, style: ParagraphStyle = _BODY) -> Paragraph:
    return paragraph("—" if value in (None, "") else str(value), style)


def _table(header: list[str], rows: list[list], widths: list[float]) -> Table:
    data = [[_para(h) for h in header]] + [[_para(c) for c in row] for row in rows]
    return grid_table(data, widths, repeatRows=1, splitInRow=1)


def _figures(snapshot: dict) -> list[str]:
    lines = []
    guards = snapshot.get("guards") or {}
    if guards:
        certified = guards.get("certified", 0)
        required = guards.get("required", 0)
        lines.append(
            _(
                "保安员:应配 %(req)s 人,持《国家保安员证》%(cert)s 人,"
                "未持证 %(uncert)s 人,缺持证保安员 %(short)s 人。"
            )
            % {
                "req": required,
                "cert": certified,
                "uncert": guards.get("uncertified", max(guards.get("actual", 0) - certified, 0)),
                "short": max(required - certified, 0),
            }
        )
    lines.append(
        _("主要出入口 %(n)s 个,缺安检器材 %(short)s 个。")
        % {"n": snapshot.get("entrances", 0), "short": snapshot.get("entrances_short", 0)}
    )
    lines.append(
        _("一键报警点 %(n)s 个,未联网 %(off)s 个。")
        % {"n": snapshot.get("alarm_points", 0), "off": snapshot.get("alarm_points_offline", 0)}
    )
    if snapshot.get("videos_short"):
        lines.append(
            _("%(n)s 套视频系统保存不足 %(days)s 天。")
            % {"n": snapshot["videos_short"], "days": snapshot.get("video_retention_minimum", "")}
        )
    gear = snapshot.get("equipment_shortfall") or {}
    if gear:
        lines.append(
            _("防卫器械缺口:%(lines)s。")
            % {"lines": "、".join(f"{label} {n}" for label, n in gear.items())}
        )
    return lines


def half_year_report_pdf(report: HalfYearReport, *, compress: bool = True) -> bytes:
    """The submitted report (texts, addressees, frozen checklist, key figures) with the
    单位(盖章)/负责人/填报人/日期 lines for signing and stamping (``compress=False`` leaves
    the page streams readable)."""
    snapshot = report.snapshot or {}
    addressed = report.addressed_to or {}
    hospital_name = (snapshot.get("hospital") or {}).get("name") or report.hospital.name
    submitted = timezone.localtime(report.submitted_at) if report.submitted_at else None
    width = A4_TEXT_WIDTH
    title = _("%(period)s“4+N”建设进展报告") % {"period": report.period_label}

    story: list = [
        _para(title, _TITLE),
        _para(
            _("%(hospital)s · 报送时间 %(time)s")
            % {
                "hospital": hospital_name,
                "time": f"{submitted:%Y-%m-%d %H:%M}" if submitted else "—",
            },
            _SUBTITLE,
        ),
        Spacer(1, 4 * mm),
        _table(
            [_("报送对象"), _("单位"), _("联系人"), _("电话")],
            [
                [
                    _("卫生健康行政部门"),
                    addressed.get("bureau"),
                    addressed.get("bureau_contact"),
                    addressed.get("bureau_phone"),
                ],
                [
                    _("公安机关"),
                    addressed.get("police_unit"),
                    addressed.get("police_contact"),
                    addressed.get("police_phone"),
                ],
            ],
            [width * 0.22, width * 0.34, width * 0.2, width * 0.24],
        ),
    ]
    for heading, text in (
        (_("工作进展"), report.progress),
        (_("存在问题"), report.problems),
        (_("下一步计划"), report.next_steps),
    ):
        story += [_para(heading, _SECTION), _para(text)]

    story.append(
        _para(
            _("清单快照(%(date)s)") % {"date": snapshot.get("taken_on", "—")},
            _SECTION,
        )
    )
    rows = [
        [
            f"{s.get('number', '')} {s.get('name', '')}",
            s.get("status_label"),
            s.get("deadline"),
            s.get("met_on"),
        ]
        for s in snapshot.get("standard", [])
    ] + [
        [f"N {s.get('name', '')}", s.get("status_label"), s.get("deadline"), s.get("met_on")]
        for s in snapshot.get("custom", [])
    ]
    story.append(
        _table(
            [_("项目"), _("状态"), _("期限"), _("达标日期")],
            rows,
            [width * 0.46, width * 0.18, width * 0.18, width * 0.18],
        )
    )
    story.append(_para(_("主要数据"), _SECTION))
    story += [_para(line) for line in _figures(snapshot)]

    story.append(Spacer(1, 16 * mm))
    blank = "________________"
    signatures = Table(
        [
            [_para(_("单位(盖章):%(name)s") % {"name": hospital_name}), _para("")],
            [
                _para(_("负责人:%(line)s") % {"line": blank}),
                _para(
                    _("填报人:%(name)s")
                    % {"name": report.submitted_by.display_name if report.submitted_by else blank}
                ),
            ],
            [
                _para(
                    _("日期:%(date)s")
                    % {"date": f"{submitted:%Y年%m月%d日}" if submitted else blank}
                ),
                _para(""),
            ],
        ],
        colWidths=[width / 2, width / 2],
        rowHeights=[12 * mm, 12 * mm, 12 * mm],
    )
    story.append(signatures)

    return a4_pdf(
        story,
        title=f"{hospital_name} {title}",
        author=hospital_name,
        compress=compress,
        invariant=1,
    )


def report_filename(report: HalfYearReport) -> str:
    return _("%(hospital)s_%(period)s_4+N建设进展报告.pdf") % {
        "hospital": report.hospital.name,
        "period": report.period_label,
    }


def report_attachment(report_id: int) -> Attachment:
    """notifications.attachments builder: the PDF of a SUBMITTED report."""
    report = (
        HalfYearReport.objects.select_related("hospital", "submitted_by")
        .filter(pk=report_id, status=ReportStatus.SUBMITTED)
        .first()
    )
    if report is None:
        raise AttachmentUnavailable(f"half-year report {report_id} is not submitted")
    return Attachment(report_filename(report), half_year_report_pdf(report), "application/pdf")
