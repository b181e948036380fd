"""Excel import of the hospitals registry: all rows are valid and saved, or nothing is saved.

The sheet is read with openpyxl in read-only mode. The header row is found by its labels (the
downloadable template has a title block above it), so columns may come in any order. Every
cell is checked; each problem becomes a RowError (row number as Excel shows it, column label,
the value as typed, a translated message) for the page and the downloadable error report.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history

from core.errors import DomainError
from core.excel import Column, Sheet, workbook_bytes

from .choices import Demonstration, HospitalLevel, HospitalType, Ownership
from .models import (
    BureauDepartment,
    Hospital,
    HospitalImport,
    ImportStatus,
    MedicalConsortium,
    Region,
)
from .validators import normalize_credit_code, validate_credit_code

MAX_ROWS = 5000
SOURCE_LANGUAGE = "zh-hans"
MAX_FILE_BYTES = 10 * 1024 * 1024
HEADER_SCAN_ROWS = 10
# A 5,000-row sheet unpacks to a few megabytes; anything far beyond is a zip bomb.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# Rows read in all, empty ones included (Excel's formatting can leave a million empty rows).
MAX_SHEET_ROWS = MAX_ROWS * 2 + HEADER_SCAN_ROWS
PROGRESS_EVERY_ROWS = 250
# A worker gives an import this long (5,000 rows take about 10 s) before it is stopped.
IMPORT_SOFT_TIME_LIMIT = 120
IMPORT_ERRORS_KEPT = 5000

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportColumn:
    field: str
    label: object  # lazy translation
    required: bool = False
    hint: object = ""

    @property
    def header(self) -> str:
        return f"{self.label}*" if self.required else str(self.label)


def _labels(choices) -> str:
    return "/".join(str(label) for value, label in choices if value)


COLUMNS = [
    ImportColumn("name", gettext_lazy("机构名称"), True),
    ImportColumn(
        "credit_code", gettext_lazy("统一社会信用代码"), True, gettext_lazy("18位,含校验位")
    ),
    ImportColumn("level", gettext_lazy("医院等级"), True),
    ImportColumn("type", gettext_lazy("机构类型"), True),
    ImportColumn("ownership", gettext_lazy("所有制"), True),
    ImportColumn("region", gettext_lazy("所属区域"), True, gettext_lazy("区域名称或简称代码")),
    ImportColumn("address", gettext_lazy("地址")),
    ImportColumn("beds_authorized", gettext_lazy("编制床位"), hint=gettext_lazy("非负整数")),
    ImportColumn("beds_actual", gettext_lazy("实有床位"), hint=gettext_lazy("非负整数")),
    ImportColumn("on_duty_staff", gettext_lazy("在岗医务人员数"), hint=gettext_lazy("非负整数")),
    ImportColumn("daily_outpatients", gettext_lazy("日均门诊量"), hint=gettext_lazy("非负整数")),
    ImportColumn(
        "consortium", gettext_lazy("所属医共体"), hint=gettext_lazy("不存在时自动在所属区域新建")
    ),
    ImportColumn("is_consortium_lead", gettext_lazy("医共体牵头单位"), hint=gettext_lazy("是/否")),
    ImportColumn("demonstration", gettext_lazy("示范单位")),
    ImportColumn(
        "linked_department",
        gettext_lazy("挂钩科室"),
        hint=gettext_lazy("所属区域或上级区域已有的科室名称"),
    ),
    ImportColumn("legal_representative", gettext_lazy("安全生产第一责任人(法定代表人)")),
    ImportColumn(
        "actual_controller", gettext_lazy("实际控制人"), hint=gettext_lazy("民营机构必填")
    ),
    ImportColumn("security_head", gettext_lazy("保卫科负责人")),
    ImportColumn("security_head_phone", gettext_lazy("保卫科负责人电话")),
    ImportColumn("contact_person", gettext_lazy("联系人")),
    ImportColumn("contact_phone", gettext_lazy("联系电话")),
]
CHOICE_FIELDS = {
    "level": HospitalLevel,
    "type": HospitalType,
    "ownership": Ownership,
    "demonstration": Demonstration,
}
INTEGER_FIELDS = ("beds_authorized", "beds_actual", "on_duty_staff", "daily_outpatients")
TEXT_FIELDS = (
    "name",
    "address",
    "legal_representative",
    "actual_controller",
    "security_head",
    "security_head_phone",
    "contact_person",
    "contact_phone",
)
YES = {"是", "y", "yes", "true", "1", "√", "牵头", "牵头单位"}
NO = {"否", "n", "no", "false", "0", ""}


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: list[Hospital] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class SheetError(DomainError):
    """The file as a whole cannot be read (not xlsx, no header row, too many rows), or reading
    stopped at `row` (the Excel row number) for `value`."""

    def __init__(self, message: str, *, row: int | None = None, value: str = ""):
        super().__init__(message)
        self.row = row
        self.value = value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _spellings(label) -> set[str]:
    """A label as the user sees it now and in Chinese: a sheet filled in Chinese imports
    even while the interface is in English."""
    with translation.override(SOURCE_LANGUAGE):
        source = str(label)
    return {str(label), source}


def _choice_lookup(enum) -> list[tuple[str, set[str]]]:
    """(value, spellings) pairs for one choice set; built once per sheet."""
    return [(value, _spellings(label)) for value, label in enum.choices]


def _choice(lookup: list[tuple[str, set[str]]], raw: str) -> str | None:
    """Match a choice by its label (Chinese or the interface language) or stored value."""
    cleaned = raw.replace(" ", "")
    for value, spellings in lookup:
        if cleaned == value or cleaned in spellings:
            return value
    # "三级甲等" / "二级乙等" → 三级 / 二级: grades within a level are not tracked.
    for value, spellings in lookup:
        if value and any(cleaned.startswith(text) for text in spellings):
            return value
    return None


def _column_position(header: list[str], column: ImportColumn) -> int | None:
    for text in _spellings(column.label):
        if text in header:
            return header.index(text)
    return None


def _integer(value) -> int | None:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float | Decimal):
        return int(value) if value >= 0 and float(value).is_integer() else None
    text = str(value).strip().replace(",", "")
    if text.isdigit():
        return int(text)
    return None


class _Scope:
    """Everything the rows are matched against, loaded once (a handful of queries per sheet)."""

    def __init__(self, user):
        self.regions = list(Region.objects.visible_to(user))
        self.region_by_key: dict[str, Region] = {}
        for region in self.regions:
            self.region_by_key.setdefault(region.code.upper(), region)
        names: dict[str, list[Region]] = {}
        for region in self.regions:
            names.setdefault(region.name, []).append(region)
        self.region_by_name = names
        region_ids = {pk for r in self.regions for pk in r.ancestor_ids}
        self.departments: dict[tuple[int, str], BureauDepartment] = {
            (dept.region_id, dept.name): dept
            for dept in BureauDepartment.objects.filter(region_id__in=region_ids)
        }
        self.consortia: dict[str, MedicalConsortium] = {
            consortium.name: consortium
            for consortium in MedicalConsortium.objects.select_related("region")
        }
        self.visible_region_ids = {region.pk for region in self.regions}

    def region(self, raw: str) -> tuple[Region | None, str]:
        if raw.upper() in self.region_by_key:
            return self.region_by_key[raw.upper()], ""
        matches = self.region_by_name.get(raw, [])
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, _("区域名称“%(name)s”不唯一,请改填简称代码。") % {"name": raw}
        return None, _("区域“%(name)s”不存在或不在您的管辖范围内。") % {"name": raw}

    def department(self, region: Region, name: str) -> BureauDepartment | None:
        for region_id in reversed(region.ancestor_ids):
            department = self.departments.get((region_id, name))
            if department:
                return department
        return None


def check_upload(fileobj) -> None:
    """What can be refused before any parsing, in the web request: size, not a zip, a zip
    bomb. Raises SheetError."""
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise SheetError(_("文件过大,导入文件不能超过10MB。"))
    _check_archive(fileobj)


def hospital_import_run(*, import_id: int) -> HospitalImport:
    """Run a queued import (the Celery task's body). Runs once: a finished import, or one a
    live worker is running, is left alone; one whose worker died (all-or-nothing, so nothing
    of it was saved) runs again."""
    with transaction.atomic():
        job = HospitalImport.objects.select_for_update().get(pk=import_id)
        stale_before = timezone.now() - dt.timedelta(seconds=IMPORT_SOFT_TIME_LIMIT * 2)
        if job.is_finished or (
            job.status == ImportStatus.RUNNING and job.started_at and job.started_at > stale_before
        ):
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.rows_read = 0
        job.save(update_fields=["status", "started_at", "rows_read"])

    def progress(rows: int) -> None:
        HospitalImport.objects.filter(pk=job.pk).update(rows_read=rows)

    try:
        with job.file.open("rb") as handle:
            result = hospitals_import(fileobj=handle, by=job.created_by, on_progress=progress)
    except SoftTimeLimitExceeded:
        result = ImportResult(
            errors=[
                RowError(
                    None,
                    "",
                    "",
                    _("导入超时(超过 %(seconds)d 秒)未完成,未保存任何数据。请拆分文件后重新导入。")
                    % {"seconds": IMPORT_SOFT_TIME_LIMIT},
                )
            ]
        )
    job.status = ImportStatus.SUCCEEDED if result.ok else ImportStatus.FAILED
    # `progress` wrote the count to the row, not to `job`: keep it when the run stopped early.
    job.refresh_from_db(fields=["rows_read"])
    job.rows_read = max(job.rows_read, result.rows_read)
    job.created_count = len(result.created)
    job.error_count = len(result.errors)
    job.errors = [error.as_dict() for error in result.errors[:IMPORT_ERRORS_KEPT]]
    job.finished_at = timezone.now()
    job.save()
    # The uploaded sheet holds contacts and phone numbers: keep it no longer than needed.
    job.file.delete(save=True)
    return job


def _check_archive(fileobj) -> None:
    """Refuse what is not a zip, and a zip that unpacks to far more than any real sheet, before
    openpyxl parses a byte of it."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(_("无法读取该文件:请上传 Excel 2007 及以上版本的 .xlsx 文件。"))
    finally:
        fileobj.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(
            _("文件解压后过大(%(size)d MB),不像是正常的导入表格,请使用导入模板。")
            % {"size": unpacked // (1024 * 1024)}
        )


def read_rows(fileobj, on_progress=None) -> tuple[list[str], list[tuple[int, list]]]:
    """The header labels and the non-empty data rows (with their Excel row numbers).

    Whatever the file holds, this ends with rows or a SheetError: a cell openpyxl cannot read
    (text in a cell typed as a number, an undefined or recursive XML entity) names the row
    where reading stopped."""
    check_upload(fileobj)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise SheetError(_("无法读取该文件:请上传 Excel 2007 及以上版本的 .xlsx 文件。"))
    except Exception as exc:  # hostile XML in the workbook's own parts
        logger.warning("hospital import: workbook refused: %r", exc)
        raise SheetError(_("无法读取该文件:文件结构已损坏或含有不安全的内容。"))
    header: list[str] | None = None
    rows: list[tuple[int, list]] = []
    number = 0
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise SheetError(
                    _("表格行数过多(含空行超过%(max)d行),请删除多余的空行后分批导入。")
                    % {"max": MAX_SHEET_ROWS}
                )
            if on_progress is not None and number % PROGRESS_EVERY_ROWS == 0:
                on_progress(number)
            values = list(values)
            if header is None:
                labels = [_text(value).rstrip("*").strip() for value in values]
                if all(_column_position(labels, column) is not None for column in COLUMNS[:2]):
                    header = labels
                elif number >= HEADER_SCAN_ROWS:
                    break
                continue
            if all(_text(value) == "" for value in values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise SheetError(_("一次最多导入%(max)d行,请分批导入。") % {"max": MAX_ROWS})
    except SheetError:
        raise
    except ValueError as exc:
        # openpyxl casts cells typed as numbers while it reads: text there stops the reading.
        logger.info("hospital import: unreadable cell after row %s: %r", number, exc)
        raise SheetError(
            _(
                "第%(row)d行有单元格无法读取:单元格标为数字格式,内容却不是数字。请把该行的单元格改为文本或填入数字。"
            )
            % {"row": number + 1},
            row=number + 1,
            value=str(exc).rpartition(":")[2].strip().strip("'")[:100],
        )
    except Exception as exc:  # undefined/recursive XML entities, broken XML
        logger.warning("hospital import: sheet refused after row %s: %r", number, exc)
        raise SheetError(
            _(
                "第%(row)d行附近的内容无法读取:文件结构已损坏或含有不安全的内容。请用 Excel 另存为 .xlsx 后重新导入。"
            )
            % {"row": number + 1},
            row=number + 1,
        )
    finally:
        workbook.close()
    if header is None:
        raise SheetError(
            _(
                "未找到表头行:第一张工作表的前%(n)d行中须有“机构名称”和“统一社会信用代码”列。请使用导入模板。"
            )
            % {"n": HEADER_SCAN_ROWS}
        )
    return header, rows


def parse_hospitals(
    fileobj, *, user, on_progress=None
) -> tuple[list[Hospital], list[RowError], int]:
    """Validate every row; returns unsaved hospitals (with `_consortium_name` for consortia
    still to be created), the errors and the number of rows read."""
    header, rows = read_rows(fileobj, on_progress)
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for column in COLUMNS:
        position = _column_position(header, column)
        if position is not None:
            positions[column.field] = position
        elif column.required:
            errors.append(
                RowError(
                    None, column.header, "", _("缺少必填列“%(col)s”。") % {"col": column.label}
                )
            )
    if errors:
        return [], errors, len(rows)
    if not rows:
        return [], [RowError(None, "", "", _("表格中没有数据行。"))], 0

    scope = _Scope(user)
    lookups = {name: _choice_lookup(enum) for name, enum in CHOICE_FIELDS.items()}
    labels = {column.field: str(column.label) for column in COLUMNS}
    existing_codes = set(
        Hospital.objects.filter(
            credit_code__in=[
                normalize_credit_code(_text(values[positions["credit_code"]]))
                for _number, values in rows
                if positions["credit_code"] < len(values)
            ]
        ).values_list("credit_code", flat=True)
    )
    seen_codes: dict[str, int] = {}
    hospitals: list[Hospital] = []

    for number, values in rows:
        row_errors: list[RowError] = []

        def cell(name: str, _values=values):
            index = positions.get(name)
            return _values[index] if index is not None and index < len(_values) else None

        def fail(
            name: str, message: str, raw=None, _row_errors=row_errors, _number=number, _cell=cell
        ):
            raw = _cell(name) if raw is None else raw
            _row_errors.append(RowError(_number, labels[name], _text(raw), str(message)))

        data: dict = {}
        for name in TEXT_FIELDS:
            data[name] = _text(cell(name))
        if not data["name"]:
            fail("name", _("机构名称不能为空。"))

        code = normalize_credit_code(_text(cell("credit_code")))
        data["credit_code"] = code
        if not code:
            fail("credit_code", _("统一社会信用代码不能为空。"))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                message = " ".join(exc.messages)
                if isinstance(cell("credit_code"), int | float):
                    # Excel keeps only 15 significant digits of a number: an all-digit code
                    # typed into a number cell has lost its last digits.
                    message += _("该单元格为数字格式,请将此列设为“文本”后重新输入代码。")
                fail("credit_code", message)
            else:
                if code in seen_codes:
                    fail(
                        "credit_code",
                        _("与第%(row)d行的统一社会信用代码重复。") % {"row": seen_codes[code]},
                    )
                elif code in existing_codes:
                    fail("credit_code", _("该统一社会信用代码已登记,不能重复导入。"))
                seen_codes.setdefault(code, number)

        for name, enum in CHOICE_FIELDS.items():
            raw = _text(cell(name))
            column = next(c for c in COLUMNS if c.field == name)
            if not raw:
                if column.required:
                    fail(name, _("%(col)s不能为空。") % {"col": column.label})
                data[name] = ""
                continue
            value = _choice(lookups[name], raw)
            if value is None:
                fail(
                    name,
                    _("“%(value)s”不是有效选项,可填:%(options)s。")
                    % {"value": raw, "options": _labels(enum.choices)},
                )
            data[name] = value or ""

        for name in INTEGER_FIELDS:
            value = _integer(cell(name))
            if value is None:
                fail(name, _("须为非负整数。"))
            data[name] = value or 0

        region = None
        raw_region = _text(cell("region"))
        if not raw_region:
            fail("region", _("所属区域不能为空。"))
        else:
            region, message = scope.region(raw_region)
            if message:
                fail("region", message)

        lead_raw = _text(cell("is_consortium_lead")).lower()
        if lead_raw in YES:
            data["is_consortium_lead"] = True
        elif lead_raw in NO:
            data["is_consortium_lead"] = False
        else:
            fail("is_consortium_lead", _("请填写“是”或“否”。"))
            data["is_consortium_lead"] = False

        consortium = None
        consortium_name = _text(cell("consortium"))
        if consortium_name:
            consortium = scope.consortia.get(consortium_name)
            if (
                consortium
                and consortium.region_id not in scope.visible_region_ids
                and not (region and consortium.region.contains(region))
            ):
                fail("consortium", _("该医共体不属于您管辖的区域。"))
                consortium = None
            elif (
                consortium
                and region
                and not (consortium.region.contains(region) or region.contains(consortium.region))
            ):
                fail(
                    "consortium",
                    _("医共体“%(name)s”属于%(region)s,与该机构所属区域不符。")
                    % {"name": consortium.name, "region": consortium.region.name},
                )
                consortium = None
        elif data["is_consortium_lead"]:
            fail("is_consortium_lead", _("牵头单位须填写所属医共体。"))

        department = None
        department_name = _text(cell("linked_department"))
        if department_name and region:
            department = scope.department(region, department_name)
            if department is None:
                fail(
                    "linked_department",
                    _("“%(region)s”及其上级区域没有名为“%(name)s”的科室。")
                    % {"region": region.name, "name": department_name},
                )

        if data.get("ownership") == Ownership.PRIVATE and not data["actual_controller"]:
            fail("actual_controller", _("民营机构须填写实际控制人。"))

        hospital = Hospital(
            **{key: data[key] for key in TEXT_FIELDS + INTEGER_FIELDS},
            credit_code=code,
            level=data["level"],
            type=data["type"],
            ownership=data["ownership"],
            demonstration=data["demonstration"],
            is_consortium_lead=data["is_consortium_lead"],
            region=region,
            consortium=consortium,
            linked_department=department,
        )
        hospital._consortium_name = consortium_name if consortium is None else ""
        if not row_errors:
            # Field lengths and anything else the model knows (uniqueness was checked above).
            try:
                hospital.full_clean(
                    exclude=[
                        "consortium",
                        "is_consortium_lead",
                        "credit_code",
                        # matched against the scope above; skip a query per row
                        "region",
                        "linked_department",
                    ],
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    if name == "is_consortium_lead" and hospital._consortium_name:
                        continue  # the consortium is created when the sheet is saved
                    if name in labels:
                        fail(name, " ".join(messages))
                    else:
                        row_errors.append(RowError(number, "", "", " ".join(messages)))
        errors.extend(row_errors)
        hospitals.append(hospital)
    return hospitals, errors, len(rows)


def hospitals_import(*, fileobj, by, on_progress=None) -> ImportResult:
    """Validate the whole sheet; save every row in one transaction only if none is invalid."""
    try:
        hospitals, errors, count = parse_hospitals(fileobj, user=by, on_progress=on_progress)
    except SheetError as exc:
        return ImportResult(errors=[RowError(exc.row, "", exc.value, str(exc))])
    result = ImportResult(errors=errors, rows_read=count)
    if errors:
        return result
    try:
        with transaction.atomic():
            new_consortia: dict[str, MedicalConsortium] = {}
            for hospital in hospitals:
                if hospital._consortium_name:
                    name = hospital._consortium_name
                    if name not in new_consortia:
                        new_consortia[name], _created = MedicalConsortium.objects.get_or_create(
                            name=name, defaults={"region": hospital.region}
                        )
                    hospital.consortium = new_consortia[name]
            # One INSERT per batch for the rows and one for their history entries.
            result.created = bulk_create_with_history(
                hospitals, Hospital, batch_size=500, default_user=by
            )
    except IntegrityError:
        result.created = []
        result.errors = [
            RowError(None, "", "", _("保存时发现统一社会信用代码已被他人登记,请刷新后重新导入。"))
        ]
    return result


def _template_sheets() -> list[Sheet]:
    guide_rows = []
    for column in COLUMNS:
        hint = str(column.hint)
        if column.field in CHOICE_FIELDS:
            hint = _("可填:%(options)s") % {"options": _labels(CHOICE_FIELDS[column.field].choices)}
        guide_rows.append((column.header, _("是") if column.required else _("否"), hint))
    return [
        Sheet(
            title=_("医疗机构"),
            columns=[Column(column.header, lambda row: "") for column in COLUMNS],
            rows=[],
            subtitle=_("带*为必填。从表头下一行开始填写,每行一家机构;填写说明见第二张工作表。"),
            sign_off=False,  # a form to fill in: nothing may follow the header
        ),
        Sheet(
            title=_("填写说明"),
            columns=[
                Column(_("列名"), lambda row: row[0], width=30),
                Column(_("必填"), lambda row: row[1], width=8),
                Column(_("说明"), lambda row: row[2], width=60),
            ],
            rows=guide_rows,
            sign_off=False,
        ),
    ]


TEMPLATE_TEXT_ROWS = 1000


def template_workbook() -> bytes:
    content = workbook_bytes(
        _template_sheets(), report_title=_("医疗卫生机构导入模板"), scope="", period=""
    )
    # Pre-format the code and phone columns as text: Excel would otherwise turn an all-digit
    # credit code into a 15-digit number and drop a phone number's leading zero.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header_row = next(
        row[0].row
        for row in sheet.iter_rows(max_row=HEADER_SCAN_ROWS)
        if row[0].value == COLUMNS[0].header
    )
    text_fields = {"credit_code", "security_head_phone", "contact_phone"}
    for index, column in enumerate(COLUMNS, start=1):
        if column.field in text_fields:
            for row in range(header_row + 1, header_row + 1 + TEMPLATE_TEXT_ROWS):
                sheet.cell(row=row, column=index).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_workbook(errors: list[dict]) -> bytes:
    columns: list[Column] = [
        Column(_("行号"), _row_value("row"), width=8, kind="int"),
        Column(_("列"), _row_value("column"), width=24),
        Column(_("填写内容"), _row_value("value"), width=30),
        Column(_("错误说明"), _row_value("message"), width=60, wrap=True),
    ]
    return workbook_bytes(
        [Sheet(title=_("错误清单"), columns=columns, rows=errors)],
        report_title=_("医疗卫生机构导入错误报告"),
        scope="",
        period="",
    )


def _row_value(key: str) -> Callable[[dict], object]:
    return lambda row: row.get(key) if row.get(key) is not None else ""
