"""Excel output: the hazard ledger (隐患台账) and the 一患一档 dossier workbook.

THE ledger layout (`ledger_sheets`) is used by the web download and by the report build
(reports.builders.ledger): the 隐患台账 columns of DOMAIN.md with the 六定 fields (项目、措施、
资金、责任人、时间、复查人), the 复查 and 销号 dates, the written 逾期说明 and a totals row, every
figure as of one instant. Rows stream as value tuples (one query, `.iterator()`), the state in
force at T comes from `with_state_as_of` (hashed set of what changed after T, not a lookup a
row), so the build costs little more than writing the same tuples with bare openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from operator import itemgetter

from django.conf import settings
from django.db.models import CharField, Count, F, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from core.dates import as_of_date, as_of_instant, as_of_text
from core.excel import Column, Link, Sheet, workbook_bytes

from .choices import Category, EvidenceStage, RectificationMode, RiskLevel, Source, Status
from .models import Hazard, HazardEvidence
from .selectors import with_state_as_of

CHUNK_SIZE = 2000
PHOTO_MODES = ("links", "thumbnails")
THUMBNAIL_LIMIT = 500  # photos embedded at most; beyond that the photo sheet lists links
THUMBNAIL_PIXELS = (240, 180)


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices.choices}


def _person(prefix: str):
    """A user's display name (accounts.User.display_name) as a database expression."""
    return Coalesce(
        NullIf(F(f"{prefix}__full_name"), Value("")),
        NullIf(
            Trim(Concat(F(f"{prefix}__first_name"), Value(" "), F(f"{prefix}__last_name"))),
            Value(""),
        ),
        F(f"{prefix}__username"),
        output_field=CharField(),
    )


def _photos(stage: str, instant: dt.datetime):
    """ "first evidence id:count" of the hazard's photos of `stage` uploaded by `instant`."""
    found = (
        HazardEvidence.objects.filter(hazard=OuterRef("pk"), stage=stage, uploaded_at__lte=instant)
        .order_by()
        .values("hazard")
        .annotate(
            v=Concat(
                Cast(Min("pk"), CharField()),
                Value(":"),
                Cast(Count("pk"), CharField()),
                output_field=CharField(),
            )
        )
        .values("v")
    )
    return Subquery(found, output_field=CharField())


# The fields of a ledger row, in the order `ledger_rows` yields them.
FIELDS = (
    "pk",
    "code",
    "hospital__name",
    "found_on",
    "location",
    "found_by_name",
    "source",
    "source_label",
    "description",
    "risk_level_then",
    "category",
    "mode",
    "rectification_measures",
    "funds",
    "responsible_department",
    "responsible_person",
    "deadline_then",
    "interim_measures",
    "status_then",
    "progress",
    "overdue_explanation",
    "rechecked_by_name",
    "rechecked_at",
    "closed_by_name",
    "closed_on",
    "photos_before",
    "photos_after",
)
F_ = {name: index for index, name in enumerate(FIELDS)}


def ledger_rows(qs: QuerySet[Hazard], as_of) -> QuerySet:
    """The ledger's rows as value tuples (FIELDS), state as of `as_of`, in ledger order."""
    instant = as_of_instant(as_of)
    return (
        with_state_as_of(qs, instant)
        .annotate(
            found_by_name=_person("found_by"),
            rechecked_by_name=_person("rechecked_by"),
            closed_by_name=_person("closed_by"),
            photos_before=_photos(EvidenceStage.BEFORE, instant),
            photos_after=_photos(EvidenceStage.AFTER, instant),
        )
        .order_by("found_on", "code", "pk")
        .values_list(*FIELDS)
    )


def _last_line(text: str) -> str:
    text = (text or "").strip()
    return text.splitlines()[-1] if text else ""


class _Ledger:
    """Column getters over a ledger tuple as of one instant (tuple positions bound once: the
    getters run for every cell of every row)."""

    def __init__(self, as_of):
        self.instant = as_of_instant(as_of)
        self.day = as_of_date(self.instant)
        self.status = _labels(Status)
        # One reverse() for the whole build: the evidence URL with the two ids substituted.
        self.evidence_url = (
            _absolute(reverse("hazards:evidence", args=[111111111, 222222222]))
            .replace("111111111", "{h}")
            .replace("222222222", "{e}")
        )

    def closed(self, r, _closed=F_["closed_on"]) -> bool:
        closed_on = r[_closed]
        return closed_on is not None and closed_on <= self.day

    def overdue_days(
        self, r, _found=F_["found_on"], _closed=F_["closed_on"], _deadline=F_["deadline_then"]
    ) -> int:
        day = self.day
        if r[_found] > day:
            return 0
        closed_on = r[_closed]
        if closed_on is not None and closed_on <= day:
            return 0
        deadline = r[_deadline]
        if not deadline or deadline >= day:
            return 0
        return (day - deadline).days

    def progress(self, r, _status=F_["status_then"], _progress=F_["progress"]) -> str:
        text = self.status[r[_status]]
        late = self.overdue_days(r)
        if late:
            text += _("(逾期%(days)d天)") % {"days": late}
        line = _last_line(r[_progress])
        return f"{text}\n{line}" if line else text

    def rechecked(self, r, _at=F_["rechecked_at"]) -> bool:
        at = r[_at]
        return at is not None and at <= self.instant

    def photo(self, r, index: int):
        value = r[index]
        if not value:
            return None
        first, count = value.split(":")
        url = self.evidence_url.format(h=r[0], e=first)
        return Link(_("%(n)s张") % {"n": count}, url)


def ledger_columns(as_of) -> list[Column]:
    """THE 隐患台账 columns (DOMAIN.md), as of `as_of`."""
    ledger = _Ledger(as_of)
    source, risk, category = _labels(Source), _labels(RiskLevel), _labels(Category)
    mode = _labels(RectificationMode)
    closed_text, open_text = _("已销号"), _("未销号")
    get = {name: itemgetter(index) for name, index in F_.items()}
    i_source, i_label = F_["source"], F_["source_label"]
    i_risk, i_category, i_mode = F_["risk_level_then"], F_["category"], F_["mode"]
    i_rechecker, i_rechecked = F_["rechecked_by_name"], F_["rechecked_at"]
    i_closer, i_closed = F_["closed_by_name"], F_["closed_on"]
    i_before, i_after = F_["photos_before"], F_["photos_after"]
    closed, rechecked, overdue = ledger.closed, ledger.rechecked, ledger.overdue_days

    def source_text(r):
        label = r[i_label]
        text = source[r[i_source]]
        return f"{text}\n{label}" if label else text

    return [
        Column(_("序号"), itemgetter(-1), width=4, kind="int"),
        Column(_("编号"), get["code"], width=13),
        Column(_("医疗机构"), get["hospital__name"], width=14, wrap=True),
        Column(_("排查时间"), get["found_on"], width=11, kind="date"),
        Column(_("部位"), get["location"], width=12, wrap=True),
        Column(_("排查人"), get["found_by_name"], width=8),
        Column(_("发现途径"), source_text, width=8, wrap=True),
        Column(_("隐患描述"), get["description"], width=24, wrap=True),
        Column(_("等级"), lambda r: risk[r[i_risk]], width=8),
        Column(_("类别"), lambda r: category[r[i_category]], width=8),
        Column(_("整改方式"), lambda r: mode[r[i_mode]], width=8),
        Column(_("整改措施"), get["rectification_measures"], width=18, wrap=True),
        Column(_("资金(元)"), get["funds"], width=12, kind="money", total="sum"),
        Column(_("责任科室"), get["responsible_department"], width=8, wrap=True),
        Column(_("责任人"), get["responsible_person"], width=8),
        Column(_("整改期限"), get["deadline_then"], width=11, kind="date"),
        Column(_("临时安全措施"), get["interim_measures"], width=14, wrap=True),
        Column(_("进度"), ledger.progress, width=14, wrap=True),
        Column(_("逾期天数"), lambda r: overdue(r) or None, width=6, kind="int", total="count"),
        Column(_("逾期说明"), get["overdue_explanation"], width=14, wrap=True),
        Column(
            _("整改前照片"),
            lambda r: ledger.photo(r, i_before),
            width=6,
            kind="link",
            total="count",
        ),
        Column(
            _("整改后照片"),
            lambda r: ledger.photo(r, i_after),
            width=6,
            kind="link",
            total="count",
        ),
        Column(_("复查人"), lambda r: r[i_rechecker] if rechecked(r) else None, width=8),
        Column(
            _("复查日期"),
            lambda r: _local_date(r[i_rechecked]) if rechecked(r) else None,
            width=11,
            kind="date",
        ),
        Column(_("验收人"), lambda r: r[i_closer] if closed(r) else None, width=8),
        Column(
            _("销号日期"),
            lambda r: r[i_closed] if closed(r) else None,
            width=11,
            kind="date",
            total="count",
        ),
        Column(_("销号"), lambda r: closed_text if closed(r) else open_text, width=6),
    ]


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def photo_mode() -> str:
    mode = getattr(settings, "LEDGER_PHOTOS", "links")
    return mode if mode in PHOTO_MODES else "links"


def _numbered(rows):
    """Append the 序号 to each tuple (the last element; the 序号 column reads r[-1])."""
    for number, row in enumerate(rows, start=1):
        yield (*row, number)


def ledger_sheets(qs: QuerySet[Hazard], *, as_of=None, photos: str | None = None) -> list[Sheet]:
    """THE ledger: one row per hazard of `qs` with its state as of `as_of` (default now),
    overdue rows highlighted, a totals row; with settings.LEDGER_PHOTOS = "thumbnails" a second
    sheet embeds small before/after photos (the ledger's cells link to the photos either way)."""
    as_of = as_of_instant(as_of)
    ledger = _Ledger(as_of)
    columns = ledger_columns(as_of)
    rows = _numbered(ledger_rows(qs, as_of).iterator(chunk_size=CHUNK_SIZE))
    sheet = Sheet(
        title=_("隐患台账"),
        columns=columns,
        rows=rows,
        highlight=lambda r: ledger.overdue_days(r) > 0,
        subtitle=_(
            "逾期未整改的隐患以红色底纹标出(截至 %(date)s)。“六定”:定项目、定措施、定资金、"
            "定责任人、定时间、定复查人。照片链接须登录后查看,仅对有权查看该隐患的用户开放。"
        )
        % {"date": as_of_date(as_of).isoformat()},
        paper="A3",
        orientation="landscape",
        totals_label=_("合计"),
        notes=[
            _(
                "合计行:资金为各行之和;逾期天数、照片、销号日期列为有该项的隐患条数。"
                "不含已删除的隐患。"
            )
        ],
    )
    sheets = [sheet]
    if (photos or photo_mode()) == "thumbnails":
        sheets.append(photo_sheet(qs, as_of))
    return sheets


def _thumbnail(evidence: HazardEvidence) -> bytes | None:
    if not evidence.is_image:
        return None

    try:
        with evidence.file.open("rb") as handle, Image.open(handle) as image:
            image.thumbnail(THUMBNAIL_PIXELS)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=70)
            return out.getvalue()
    except (OSError, ValueError):
        return None


def photo_sheet(qs: QuerySet[Hazard], as_of) -> Sheet:
    """整改前后照片: one row per photo (before/after, uploaded by `as_of`), the first
    THUMBNAIL_LIMIT embedded as small thumbnails, every one linked to its scoped URL."""
    instant = as_of_instant(as_of)
    evidence = (
        HazardEvidence.objects.filter(
            hazard__in=qs.values("pk"),
            stage__in=[EvidenceStage.BEFORE, EvidenceStage.AFTER],
            uploaded_at__lte=instant,
        )
        .select_related("hazard")
        .order_by("hazard__found_on", "hazard__code", "hazard_id", "stage", "uploaded_at", "pk")
    )
    stage = _labels(EvidenceStage)
    counter = {"n": 0}

    def image(e):
        counter["n"] += 1
        return _thumbnail(e) if counter["n"] <= THUMBNAIL_LIMIT else None

    return Sheet(
        title=_("整改前后照片"),
        columns=[
            Column(_("编号"), lambda e: e.hazard.code, width=15),
            Column(_("类型"), lambda e: stage[e.stage], width=8),
            Column(_("文件名"), lambda e: e.original_name, width=24, wrap=True),
            Column(_("上传时间"), lambda e: e.uploaded_at, width=16, kind="datetime"),
            Column(
                _("链接"),
                lambda e: Link(_("查看原图"), _absolute(e.get_absolute_url())),
                width=10,
                kind="link",
            ),
            Column(_("照片"), image, width=36, kind="image"),
        ],
        rows=evidence.iterator(chunk_size=200),
        subtitle=_("缩略图最多嵌入 %(n)d 张,其余请点击链接查看。") % {"n": THUMBNAIL_LIMIT},
        paper="A4",
        orientation="portrait",
    )


def ledger_workbook(qs: QuerySet[Hazard], *, scope: str, period: str, as_of=None) -> bytes:
    as_of = as_of_instant(as_of)

    return workbook_bytes(
        ledger_sheets(qs, as_of=as_of),
        report_title=_("安全隐患排查整改台账"),
        scope=scope,
        period=period,
        as_of=as_of_text(as_of),
    )


def dossier_items(hazard: Hazard) -> list[tuple[str, object]]:
    """(label, value) pairs of the 一患一档 dossier, shared by the page and the workbook."""
    field = Hazard._meta.get_field

    def label(name: str) -> str:
        return str(field(name).verbose_name)

    items: list[tuple[str, object]] = [
        (label("code"), hazard.code),
        (label("hospital"), hazard.hospital.name),
        (label("risk_level"), hazard.get_risk_level_display()),
        (label("category"), hazard.get_category_display()),
        (label("source"), hazard.get_source_display()),
        (label("source_label"), hazard.source_label),
        (label("found_on"), hazard.found_on),
        (label("found_by"), hazard.found_by.display_name),
        (label("location"), hazard.location),
        (label("description"), hazard.description),
        (label("mode"), hazard.get_mode_display()),
        (label("deadline"), hazard.deadline),
        (label("responsible_department"), hazard.responsible_department),
        (label("responsible_person"), hazard.responsible_person),
        (label("rectification_measures"), hazard.rectification_measures),
        (label("funds"), hazard.funds),
        (label("interim_measures"), hazard.interim_measures),
    ]
    if hazard.is_major:
        items += [
            (label(name), getattr(hazard, name))
            for name in (
                "present_state_and_cause",
                "danger_analysis",
                "plan_goal",
                "plan_methods",
                "plan_funds_materials",
                "plan_organisation",
                "plan_time_limit",
                "plan_safety_emergency",
            )
        ]
        items += [
            (label("supervision_level"), hazard.get_supervision_level_display()),
            (label("supervision_notice_no"), hazard.supervision_notice_no),
            (label("suspension"), hazard.get_suspension_display()),
            (label("suspension_scope"), hazard.suspension_scope),
            (label("suspension_notice_no"), hazard.suspension_notice_no),
        ]
    items += [
        (label("progress"), hazard.progress),
        (label("overdue_explanation"), hazard.overdue_explanation),
        (label("status"), hazard.get_status_display()),
        (label("rechecked_by"), hazard.rechecked_by.display_name if hazard.rechecked_by else ""),
        (label("rechecked_at"), hazard.rechecked_at),
        (label("recheck_note"), hazard.recheck_note),
        (label("closed_by"), hazard.closed_by.display_name if hazard.closed_by else ""),
        (label("closed_on"), hazard.closed_on),
    ]
    return items


def dossier_workbook(hazard: Hazard, events, evidence) -> bytes:
    money = {str(Hazard._meta.get_field("funds").verbose_name)}

    def value(item):
        label, v = item
        if v is None:
            return ""
        if label in money and isinstance(v, Decimal | int | float):
            return f"¥{v:,.2f}"  # ¥680,000.00, not 680000.00
        if isinstance(v, dt.datetime):
            return f"{timezone.localtime(v):%Y-%m-%d %H:%M}" if timezone.is_aware(v) else v
        if hasattr(v, "isoformat") or isinstance(v, int | float):
            return v
        return str(v)

    sheets = [
        Sheet(
            title=_("隐患档案"),
            columns=[
                Column(_("项目"), lambda item: item[0], width=22, wrap=True),
                Column(_("内容"), value, width=70, wrap=True),
            ],
            rows=dossier_items(hazard),
        ),
        Sheet(
            title=_("处理记录"),
            columns=[
                Column(_("时间"), lambda e: e.at, kind="datetime", width=18),
                Column(_("事件"), lambda e: e.get_kind_display(), width=16),
                Column(_("操作人"), lambda e: e.actor.display_name, width=12),
                Column(_("原状态"), lambda e: e.get_from_status_display(), width=10),
                Column(_("新状态"), lambda e: e.get_to_status_display(), width=10),
                Column(_("说明"), lambda e: e.note, width=60, wrap=True),
            ],
            rows=events,
        ),
        Sheet(
            title=_("佐证材料"),
            columns=[
                Column(_("类型"), lambda f: f.get_stage_display(), width=10),
                Column(_("文件名"), lambda f: f.original_name, width=30),
                Column(_("上传人"), lambda f: f.uploaded_by.display_name, width=12),
                Column(_("上传时间"), lambda f: f.uploaded_at, kind="datetime", width=18),
                Column(
                    _("链接"),
                    lambda f: Link(_("查看"), _absolute(f.get_absolute_url())),
                    width=10,
                    kind="link",
                ),
            ],
            rows=evidence,
        ),
    ]
    title = (
        _("重大事故隐患“一患一档”") if hazard.is_major else _("安全隐患档案")
    ) + f" {hazard.code}"
    return workbook_bytes(
        sheets, report_title=title, scope=hazard.hospital.name, period=str(hazard.found_on)
    )
