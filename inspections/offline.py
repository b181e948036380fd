"""Offline inspections (the installable app): the pages and JSON the phone caches, and the sync
of its outbox.

The phone keeps everything typed offline in IndexedDB (static/js/offline/) and, once back
online, posts its outbox to `offline_sync` in order: one JSON document per inspection with a
list of writes, each with a client-generated key. `inspection_sync` applies them through the
same services as the record page (`services.answer_save`, `services.answer_photo_add`,
`services.inspection_submit`): no second set of rules. Each applied key is stored
(`OfflineWrite`), so a retried or duplicated sync applies nothing twice.

- Bad input (shape, unknown item, a file that is no photo) → 400, nothing saved.
- The inspection was submitted elsewhere, or an item was changed elsewhere since the phone
  loaded it → 409 with the differences; nothing is overwritten, the person decides.
- A submission the services refuse → 422 with the reasons; the answers before it are kept.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.dates import today
from core.errors import DomainError
from core.middleware import PERMISSIONS_POLICY
from core.uploads import UPLOAD_KEY_RE, CleanedUpload, clean_image_upload
from hazards.choices import Category, RiskLevel

from . import selectors, services
from .choices import (
    ASSIGNMENT_TO_INSPECTION_KIND,
    InspectionAction,
    InspectionKind,
    InspectionStatus,
    PhotoKind,
    Result,
)
from .models import Answer, Assignment, Inspection, OfflineWrite
from .photostamp import PhotoCapture

MAX_OPS = 200
# Text fields of an answer and their longest accepted value (the model's max_length, or a
# generous bound for text areas).
TEXT_FIELDS = {
    "note": 5000,
    "hazard_location": 200,
    "hazard_description": 5000,
    "rectification_measures": 5000,
}
ASSIGNMENT_WINDOW = dt.timedelta(days=31)


# --------------------------------------------------------------------------------------------
# Errors and parsed writes
# --------------------------------------------------------------------------------------------
class SyncError(DomainError):
    """A refused sync; nothing of the request was saved unless `applied` says otherwise."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.extra = extra

    def as_json(self) -> dict:
        return {"ok": False, "error": self.message, **self.extra}


@dataclass
class Write:
    key: str
    type: str
    index: int
    answer: Answer | None = None
    fields: dict = field(default_factory=dict)
    base: dt.datetime | None = None
    after: list[str] = field(default_factory=list)
    upload: CleanedUpload | None = None
    kind: str = PhotoKind.FINDING
    capture: PhotoCapture | None = None
    device_time: dt.datetime | None = None


def _bad(index: int, message: str) -> SyncError:
    return SyncError(
        400,
        _("第 %(number)s 条离线记录无效:%(reason)s。未保存任何内容。")
        % {"number": index + 1, "reason": message},
    )


def _datetime(value, index: int) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _bad(index, _("时间格式不正确"))
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(index, _("时间格式不正确"))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _decimal(value, index: int, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad(index, _("定位数据不正确"))
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise _bad(index, _("定位数据不正确"))
    if not (low <= number <= high):
        raise _bad(index, _("定位数据不正确"))
    return number


def _answer_fields(raw, index: int) -> dict:
    if not isinstance(raw, dict):
        raise _bad(index, _("缺少检查结果内容"))
    fields = {}
    choices = {
        "result": Result.values,
        "hazard_category": Category.values,
        "hazard_risk_level": RiskLevel.values,
    }
    for name, allowed in choices.items():
        if name in raw:
            value = raw[name] if raw[name] is not None else ""
            if value != "" and value not in allowed:
                raise _bad(index, _("选项“%(value)s”无效") % {"value": str(value)[:40]})
            fields[name] = value
    for name, limit in TEXT_FIELDS.items():
        if name in raw:
            value = raw[name] if raw[name] is not None else ""
            if not isinstance(value, str) or len(value) > limit:
                raise _bad(index, _("文字内容过长或格式不正确"))
            fields[name] = value.strip()
    if "hazard_deadline" in raw:
        value = raw["hazard_deadline"]
        if value in (None, ""):
            fields["hazard_deadline"] = None
        else:
            try:
                fields["hazard_deadline"] = dt.date.fromisoformat(str(value))
            except ValueError:
                raise _bad(index, _("整改期限不是有效日期"))
    if "fixed_on_the_spot" in raw:
        if not isinstance(raw["fixed_on_the_spot"], bool):
            raise _bad(index, _("立查立改的取值不正确"))
        fields["fixed_on_the_spot"] = raw["fixed_on_the_spot"]
    return fields


def _photo_upload(raw, index: int) -> CleanedUpload:
    data = raw.get("data")
    if not isinstance(data, str) or not data:
        raise _bad(index, _("照片内容缺失"))
    if "," in data[:100] and data.startswith("data:"):
        data = data.split(",", 1)[1]
    if len(data) > settings.UPLOAD_MAX_BYTES * 4 // 3 + 8:
        raise _bad(index, _("照片过大"))
    try:
        content = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _bad(index, _("照片内容无法读取"))
    name = raw.get("name") if isinstance(raw.get("name"), str) else ""
    uploaded = SimpleUploadedFile(name[:120] or "photo.jpg", content)
    try:
        return clean_image_upload(uploaded)
    except ValidationError as exc:
        raise _bad(index, ";".join(exc.messages))


def parse_writes(inspection: Inspection, payload) -> list[Write]:
    """Check the whole outbox document before anything is written."""
    if not isinstance(payload, dict) or not isinstance(payload.get("ops"), list):
        raise SyncError(400, _("同步数据格式不正确,未保存任何内容。"))
    raw_ops = payload["ops"]
    if not raw_ops:
        raise SyncError(400, _("没有需要同步的内容。"))
    if len(raw_ops) > MAX_OPS:
        raise SyncError(400, _("一次最多同步 %(max)s 条记录,请分批同步。") % {"max": MAX_OPS})
    answers = {answer.item_id: answer for answer in inspection.answers.select_related("item").all()}
    writes, keys, photos = [], set(), 0
    for index, raw in enumerate(raw_ops):
        if not isinstance(raw, dict):
            raise _bad(index, _("格式不正确"))
        key = raw.get("key")
        if not isinstance(key, str) or not UPLOAD_KEY_RE.match(key):
            raise _bad(index, _("缺少有效的幂等键"))
        if key in keys:
            raise _bad(index, _("幂等键重复"))
        keys.add(key)
        kind = raw.get("type")
        write = Write(key=key, type=kind, index=index)
        write.device_time = _datetime(raw.get("device_time"), index)
        if kind in (OfflineWrite.Kind.ANSWER, OfflineWrite.Kind.PHOTO):
            item = raw.get("item")
            if isinstance(item, bool) or not isinstance(item, int) or item not in answers:
                raise _bad(index, _("检查条目不属于本次检查"))
            write.answer = answers[item]
        if kind == OfflineWrite.Kind.ANSWER:
            write.fields = _answer_fields(raw.get("fields"), index)
            write.base = _datetime(raw.get("base"), index)
            after = raw.get("after") or []
            if not isinstance(after, list) or not all(
                isinstance(k, str) and UPLOAD_KEY_RE.match(k) for k in after
            ):
                raise _bad(index, _("缺少有效的幂等键"))
            write.after = after[:50]
        elif kind == OfflineWrite.Kind.PHOTO:
            photos += 1
            if photos > settings.UPLOAD_MAX_FILES_PER_REQUEST:
                raise SyncError(
                    400,
                    _("一次最多上传 %(max)d 个文件,请分批上传。")
                    % {"max": settings.UPLOAD_MAX_FILES_PER_REQUEST},
                )
            photo_kind = raw.get("kind") or PhotoKind.FINDING
            if photo_kind not in PhotoKind.values:
                raise _bad(index, _("照片类型无效"))
            write.kind = photo_kind
            write.capture = PhotoCapture(
                captured_at=_datetime(raw.get("captured_at"), index),
                latitude=_decimal(raw.get("latitude"), index, -90, 90),
                longitude=_decimal(raw.get("longitude"), index, -180, 180),
                accuracy=(
                    float(raw["accuracy"])
                    if isinstance(raw.get("accuracy"), int | float)
                    and not isinstance(raw.get("accuracy"), bool)
                    and raw["accuracy"] >= 0
                    else None
                ),
            )
            write.upload = _photo_upload(raw, index)
        elif kind != OfflineWrite.Kind.SUBMIT:
            raise _bad(index, _("未知的记录类型"))
        writes.append(write)
    return writes


# --------------------------------------------------------------------------------------------
# The sync service
# --------------------------------------------------------------------------------------------
ANSWER_COMPARED = (
    "result",
    "note",
    "hazard_location",
    "hazard_description",
    "hazard_category",
    "hazard_risk_level",
    "hazard_deadline",
    "rectification_measures",
    "fixed_on_the_spot",
)


def answer_state(answer: Answer) -> dict:
    """An answer as the phone sees it (and as a conflict shows the server's side)."""
    return {
        "result": answer.result,
        "note": answer.note,
        "hazard_location": answer.hazard_location,
        "hazard_description": answer.hazard_description,
        "hazard_category": answer.hazard_category,
        "hazard_risk_level": answer.hazard_risk_level,
        "hazard_deadline": answer.hazard_deadline.isoformat() if answer.hazard_deadline else "",
        "rectification_measures": answer.rectification_measures,
        "fixed_on_the_spot": answer.fixed_on_the_spot,
        "version": answer.updated_at.isoformat(),
    }


def _same_as_server(answer: Answer, fields: dict) -> bool:
    return all(getattr(answer, name) == value for name, value in fields.items())


def _conflicts(writes: list[Write], inspection: Inspection) -> list[dict]:
    """Items changed elsewhere since the phone loaded them, where the phone's write would
    overwrite something different."""
    conflicts, touched = [], set()
    current = {
        answer.pk: answer
        for answer in Answer.objects.filter(inspection=inspection).select_related("item")
    }
    for write in writes:
        if write.type != OfflineWrite.Kind.ANSWER:
            continue
        answer = current[write.answer.pk]
        if answer.pk in touched:
            continue
        touched.add(answer.pk)
        if write.base is None:
            # Started on the phone without a connection: it saw the item blank.
            changed = answer.answered_by_id is not None or answer.result != ""
        else:
            changed = answer.updated_at != write.base
        if not changed or _same_as_server(answer, write.fields):
            continue
        if (
            write.after
            and OfflineWrite.objects.filter(
                key__in=write.after, answer=answer, answer_version=answer.updated_at
            ).exists()
        ):
            continue  # the last change is this phone's own earlier write
        conflicts.append(
            {
                "key": write.key,
                "item": answer.item_id,
                "code": answer.item.code,
                "text": answer.item.text,
                "server": answer_state(answer),
            }
        )
    return conflicts


@dataclass
class SyncOutcome:
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    # A submission the services refused: (message, reasons); the writes before it are kept.
    blocked: tuple[str, list[str]] | None = None


def inspection_sync(*, inspection: Inspection, by, writes: list[Write]) -> SyncOutcome:
    """Apply the phone's writes to one inspection, in order, each exactly once."""
    outcome = SyncOutcome()
    with transaction.atomic():
        # Serialises concurrent syncs of one inspection: the key check below and the inserts
        # cannot interleave with a duplicated request.
        inspection = Inspection.objects.select_for_update(of=("self",)).get(pk=inspection.pk)
        known = set(
            OfflineWrite.objects.filter(key__in=[w.key for w in writes]).values_list(
                "key", flat=True
            )
        )
        pending = [write for write in writes if write.key not in known]
        outcome.skipped = [write.key for write in writes if write.key in known]
        if not pending:
            return outcome
        if not inspection.is_draft:
            submitted_at = timezone.localtime(inspection.submitted_at or inspection.updated_at)
            raise SyncError(
                409,
                _(
                    "该检查已于 %(at)s 由%(name)s提交(可能在其他设备上),本机离线填写的 "
                    "%(count)s 条内容没有同步,也没有覆盖已提交的记录。请打开检查详情核对,"
                    "如有出入请使用“更正”功能。"
                )
                % {
                    "at": submitted_at.strftime("%Y-%m-%d %H:%M"),
                    "name": getattr(inspection.submitted_by, "display_name", "") or _("他人"),
                    "count": len(pending),
                },
                submitted=True,
                detail_url=reverse("inspections:detail", args=[inspection.pk]),
            )
        refusal = services.action_refusal(by, inspection, InspectionAction.RECORD)
        if refusal:
            raise SyncError(403, refusal)
        conflicts = _conflicts(pending, inspection)
        if conflicts:
            raise SyncError(
                409,
                _(
                    "%(count)s 个检查条目在您离线期间已在其他设备上修改,本机的填写没有覆盖它们。"
                    "请逐项选择保留哪一份。"
                )
                % {"count": len(conflicts)},
                conflicts=conflicts,
            )
        for write in pending:
            if write.type == OfflineWrite.Kind.SUBMIT:
                try:
                    with transaction.atomic():
                        services.inspection_submit(inspection=inspection, by=by)
                        _record(inspection, by, write)
                except services.SubmissionBlocked as exc:
                    outcome.blocked = (str(exc), exc.problems)
                    break
            else:
                _apply(inspection, by, write, outcome)
            outcome.applied.append(write.key)
    return outcome


def _record(inspection, by, write: Write, **values) -> None:
    OfflineWrite.objects.create(
        key=write.key,
        inspection=inspection,
        kind=write.type,
        by=by,
        device_time=write.device_time,
        **values,
    )


def _apply(inspection: Inspection, by, write: Write, outcome: SyncOutcome) -> None:
    if write.type == OfflineWrite.Kind.ANSWER:
        answer = services.answer_save(answer=write.answer, by=by, data=write.fields)
        _record(inspection, by, write, answer=answer, answer_version=answer.updated_at)
        return
    note = ""
    photo = None
    try:
        photo, _created = services.answer_photo_add(
            answer=write.answer,
            by=by,
            upload=write.upload,
            kind=write.kind,
            upload_key=write.key,
            capture=write.capture,
        )
    except ValidationError as exc:
        # The same photo is already on this item (chosen twice): stored once, as the rule says.
        note = ";".join(exc.messages)[:300]
        outcome.notes[write.key] = note
    _record(inspection, by, write, answer=write.answer, photo=photo, note=note)


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------
def _visible(request, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "hospital", "template", "submitted_by"
        ),
        pk=pk,
    )


@require_GET
def offline_app(request):
    """The app shell: the assignment list, the checklist and the outbox, all drawn by
    static/js/offline/app.js from IndexedDB; the service worker keeps a copy for offline."""
    response = render(request, "inspections/offline.html", {"csrf": get_token(request)})
    # The one page that may ask for the position: it goes into the photo's stamp, and only
    # when the person allows it (the site-wide policy keeps geolocation off elsewhere).
    response["Permissions-Policy"] = PERMISSIONS_POLICY.replace(
        "geolocation=()", "geolocation=(self)"
    )
    return response


@login_not_required
@require_GET
def offline_fallback(request):
    """What the service worker shows for a page that needs the server while offline."""
    return render(request, "inspections/offline_fallback.html")


@login_not_required
@require_GET
@never_cache
def service_worker(request):
    """static/sw.js, served at the site root so that its scope is the whole site."""
    path = finders.find("sw.js")
    if path:
        handle = open(path, "rb")
    else:
        handle = staticfiles_storage.open("sw.js")
    response = FileResponse(handle, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_assignments(request):
    """The signed-in person's open assignments (a month either side of today) and drafts,
    with a fresh CSRF token for the sync."""
    user = request.user
    on = today()
    rows = (
        selectors.with_state(Assignment.objects.actionable_by(user))
        .filter(
            is_done=False,
            due_date__gte=on - ASSIGNMENT_WINDOW,
            due_date__lte=on + ASSIGNMENT_WINDOW,
        )
        .select_related("hospital", "hospital__region")
        .order_by("due_date", "hospital__name")[:100]
    )
    drafts = (
        Inspection.objects.visible_to(user)
        .filter(status=InspectionStatus.DRAFT)
        .select_related("hospital")
        .order_by("-inspected_on", "-pk")[:100]
    )
    draft_by_assignment = {d.assignment_id: d.pk for d in drafts if d.assignment_id}
    started = set(
        Inspection.objects.filter(assignment__in=rows).values_list("assignment_id", flat=True)
    )
    checklists: dict[int, dict] = {}

    def checklist(row) -> dict | None:
        """The checklist in force, so that the phone can start the inspection offline."""
        if row.pk in started:
            return None
        template = selectors.template_in_force(row.hospital, on=on)
        if template is None:
            return None
        if template.pk not in checklists:
            checklists[template.pk] = {
                "template": template.pk,
                "sections": checklist_sections(template),
            }
        return checklists[template.pk]

    return JsonResponse(
        {
            "user": user.pk,
            "csrf": get_token(request),
            "today": on.isoformat(),
            "choices": _choices(),
            "assignments": [
                {
                    "id": row.pk,
                    "hospital": row.hospital.name,
                    "kind": row.get_kind_display(),
                    "inspection_kind": str(
                        InspectionKind(ASSIGNMENT_TO_INSPECTION_KIND[row.kind]).label
                    ),
                    "due_date": row.due_date.isoformat(),
                    "inspection": draft_by_assignment.get(row.pk),
                    "start_url": reverse("inspections:offline_start", args=[row.pk]),
                    "sync_url": reverse("inspections:offline_assignment_sync", args=[row.pk]),
                    "checklist": checklist(row),
                }
                for row in rows
            ],
            "drafts": [
                {
                    "id": draft.pk,
                    "hospital": draft.hospital.name,
                    "kind": draft.get_kind_display(),
                    "inspected_on": draft.inspected_on.isoformat(),
                    "data_url": reverse("inspections:offline_data", args=[draft.pk]),
                }
                for draft in drafts
                if services.allowed_actions(user, draft) and draft.is_draft
            ],
        }
    )


@require_POST
def offline_start(request, pk: int):
    """Start (or resume) an assignment's inspection so that the phone can take it offline."""
    assignment = get_object_or_404(Assignment.objects.actionable_by(request.user), pk=pk)
    try:
        inspection = services.inspection_start(by=request.user, assignment=assignment)
    except services.InspectionError as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=409)
    return JsonResponse(
        {
            "ok": True,
            "inspection": inspection.pk,
            "data_url": reverse("inspections:offline_data", args=[inspection.pk]),
        }
    )


def checklist_sections(template) -> list[dict]:
    """A checklist version's sections and items, as the phone draws them."""
    sections = []
    for section in template.sections.prefetch_related("items").order_by("order", "pk"):
        sections.append(
            {
                "id": section.pk,
                "title": section.title,
                "items": [
                    {
                        "id": item.pk,
                        "code": item.code,
                        "text": item.text,
                        "guidance": item.guidance,
                        "category": item.category,
                        "risk": item.default_risk_level,
                    }
                    for item in sorted(section.items.all(), key=lambda i: (i.order, i.pk))
                ],
            }
        )
    return sections


def _choices() -> dict:
    return {
        "result": [[value, str(label)] for value, label in Result.choices],
        "category": [[value, str(label)] for value, label in Category.choices],
        "risk": [[value, str(label)] for value, label in RiskLevel.choices],
    }


def inspection_offline_data(inspection: Inspection, user) -> dict:
    """Everything the phone needs to fill in an inspection without a connection."""
    sections = checklist_sections(inspection.template)
    answers = inspection.answers.annotate(photo_count=Count("photos"))
    refusal = services.action_refusal(user, inspection, InspectionAction.RECORD)
    return {
        "id": inspection.pk,
        "hospital": inspection.hospital.name,
        "kind": inspection.get_kind_display(),
        "inspected_on": inspection.inspected_on.isoformat(),
        "location": inspection.location,
        "status": inspection.status,
        "status_label": inspection.get_status_display(),
        "editable": not refusal,
        "refusal": refusal,
        "detail_url": reverse("inspections:detail", args=[inspection.pk]),
        "sync_url": reverse("inspections:offline_sync", args=[inspection.pk]),
        "sections": sections,
        "answers": {
            str(answer.item_id): {**answer_state(answer), "photos": answer.photo_count}
            for answer in answers
        },
        "choices": _choices(),
        "loaded_at": timezone.now().isoformat(),
    }


@require_GET
def offline_data(request, pk: int):
    inspection = _visible(request, pk)
    return JsonResponse(inspection_offline_data(inspection, request.user))


def _payload(request):
    if request.content_type != "application/json":
        raise SyncError(400, _("同步数据格式不正确,未保存任何内容。"))
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SyncError(400, _("同步数据格式不正确,未保存任何内容。"))


def _sync_response(request, inspection: Inspection, outcome: SyncOutcome) -> JsonResponse:
    inspection.refresh_from_db()
    data = inspection_offline_data(inspection, request.user)
    return JsonResponse(
        {
            "ok": outcome.blocked is None,
            "error": outcome.blocked[0] if outcome.blocked else "",
            "problems": outcome.blocked[1] if outcome.blocked else [],
            "applied": outcome.applied,
            "skipped": outcome.skipped,
            "notes": outcome.notes,
            "message": _("已同步 %(applied)s 条,%(skipped)s 条此前已同步。")
            % {"applied": len(outcome.applied), "skipped": len(outcome.skipped)},
            "inspection": data,
        },
        status=422 if outcome.blocked else 200,
    )


@require_POST
def offline_sync(request, pk: int):
    """Apply one inspection's outbox (JSON {"ops": [...]}); see the module docstring."""
    inspection = _visible(request, pk)
    try:
        writes = parse_writes(inspection, _payload(request))
        outcome = inspection_sync(inspection=inspection, by=request.user, writes=writes)
    except SyncError as exc:
        return JsonResponse(exc.as_json(), status=exc.status)
    except services.InspectionError as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=403)
    return _sync_response(request, inspection, outcome)


@require_POST
def offline_assignment_sync(request, pk: int):
    """The outbox of an inspection the phone started without a connection: start (or resume,
    `services.inspection_start` is idempotent per assignment) the assignment's inspection and
    apply the writes, all in one transaction: bad input leaves no inspection behind."""
    assignment = get_object_or_404(Assignment.objects.actionable_by(request.user), pk=pk)
    try:
        payload = _payload(request)
        with transaction.atomic():
            inspection = services.inspection_start(by=request.user, assignment=assignment)
            writes = parse_writes(inspection, payload)
            outcome = inspection_sync(inspection=inspection, by=request.user, writes=writes)
    except SyncError as exc:
        return JsonResponse(exc.as_json(), status=exc.status)
    except services.InspectionError as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=403)
    return _sync_response(request, inspection, outcome)
