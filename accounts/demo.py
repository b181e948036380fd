"""Demo logins for the demo regions and hospitals (`hospitals.demo`); all share one password.

Idempotent: every user is looked up by username, so running `seed_demo` again updates the
rows in place instead of duplicating them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from core.excel import display_width
from hospitals.demo import (
    DIVISIONS,
    HA_HOSPITAL,
    HOSPITALS,
    JJ_HOSPITAL,
    NA_HOSPITAL,
    REGIONS,
    _upsert,
    demo_credit_code,
    demo_phone,
)
from hospitals.models import BureauDepartment, Hospital, Region

from .choices import Role
from .models import User

DEMO_PASSWORD = "Demo-2026-pingan"

# username, full name, role, region code, hospital name, department name, is_staff
USERS = [
    ("admin", "市卫健委管理员", Role.ADMIN, "QZ", None, None, False),
    ("jj_admin", "晋江市卫健局管理员", Role.ADMIN, "JJ", None, None, False),
    ("na_admin", "南安市卫健局管理员", Role.ADMIN, "NA", None, None, False),
    ("ha_admin", "惠安县卫健局管理员", Role.ADMIN, "HA", None, None, False),
    # The two separated duties of the city: accounts and roles; the audit log.
    ("qz_secadmin", "市卫健委安全管理员", Role.SECADMIN, "QZ", None, None, False),
    ("qz_auditor", "市卫健委审计管理员", Role.AUDITOR, "QZ", None, None, False),
    ("qz_bureau", "陈思远", Role.BUREAU, "QZ", None, "医政医管科", False),
    ("jj_bureau", "林晓红", Role.BUREAU, "JJ", None, "医政科", False),
    ("jj_gw", "蔡建明", Role.BUREAU, "JJ", None, "公卫科", False),
    ("jj_anban", "许志华", Role.BUREAU, "JJ", None, None, False),
    ("na_bureau", "黄文斌", Role.BUREAU, "NA", None, "医政股", False),
    ("ha_bureau", "庄丽萍", Role.BUREAU, "HA", None, "医政股", False),
    ("jjyy_officer", "蔡志坚", Role.OFFICER, None, JJ_HOSPITAL, None, False),
    ("jjzy_officer", "吴国栋", Role.OFFICER, None, "晋江市中医院", None, False),
    ("jjry_officer", "曾文杰", Role.OFFICER, None, "晋江仁和医院", None, False),
    ("jjcz_officer", "吴建国", Role.OFFICER, None, "晋江市磁灶镇卫生院", None, False),
    ("nayy_officer", "潘建设", Role.OFFICER, None, NA_HOSPITAL, None, False),
    ("hayy_officer", "庄志华", Role.OFFICER, None, HA_HOSPITAL, None, False),
]


_DEMO_HASHES: dict[str, bool] = {}


def _is_demo_hash(user) -> bool:
    """Whether the stored hash is already the demo password (checked once per distinct hash:
    every demo account shares one hash, so this costs one slow hash per run)."""
    if user.password not in _DEMO_HASHES:
        _DEMO_HASHES[user.password] = check_password(DEMO_PASSWORD, user.password)
    return _DEMO_HASHES[user.password]


def seed(*, stdout, style) -> None:
    """The demo logins; the regions and hospitals they belong to are seeded first."""
    regions = {region.code: region for region in Region.objects.filter(code__in=DIVISIONS)}
    credit_codes = {
        row[0]: demo_credit_code(row[0], DIVISIONS[row[1]], row[4]) for row in HOSPITALS
    }
    by_code = Hospital.objects.in_bulk(credit_codes.values(), field_name="credit_code")
    hospitals = {name: by_code[code] for name, code in credit_codes.items()}
    departments = {
        (department.region.code, department.name): department
        for department in BureauDepartment.objects.select_related("region")
    }

    # One hash for every demo account: hashing is deliberately slow (PBKDF2), 17 of them are not.
    password_hash = None
    for username, full_name, role, region_code, hospital_name, department_name, staff in USERS:
        user, _created = _upsert(
            User,
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "region": regions[region_code] if region_code else None,
                "hospital": hospitals[hospital_name] if hospital_name else None,
                "department": (
                    departments[(region_code, department_name)] if department_name else None
                ),
                "email": f"{username}@example.org",
                "phone": demo_phone(username),
                "is_active": True,
                "is_staff": staff,
            },
        )
        if not _is_demo_hash(user):
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])

    root, _created = _upsert(
        User,
        username="root",
        defaults={
            "full_name": "系统管理员",
            "role": "",
            "region": None,
            "hospital": None,
            "department": None,
            "email": "root@example.org",
            "is_active": True,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if not _is_demo_hash(root):
        password_hash = password_hash or make_password(DEMO_PASSWORD)
        root.password = password_hash
        root.save(update_fields=["password"])

    stdout.write(style.SUCCESS(f"accounts demo: {len(USERS) + 1} users"))


def print_logins(*, stdout, style) -> None:
    url = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    stdout.write("")
    stdout.write(
        style.SUCCESS(f"Open {url.rstrip('/')}/  — demo password for every login: {DEMO_PASSWORD}")
    )
    stdout.write("")
    rows = [("root", "superuser 超级管理员", "全部 (Django admin /admin/)")]
    region_names = {code: name for code, name, _l, _p, _d in REGIONS}
    for username, _full_name, role, region_code, hospital_name, department_name, _s in USERS:
        scope = hospital_name or region_names[region_code]
        if department_name:
            scope += f" · {department_name}"
        rows.append((username, f"{role.value} {role.label}", scope))
    width = max(len(row[0]) for row in rows) + 2
    stdout.write(f"{'username'.ljust(width)}{_pad('role', 28)}scope")
    for username, role, scope in rows:
        stdout.write(f"{username.ljust(width)}{_pad(role, 28)}{scope}")
    stdout.write("")


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal where a CJK character takes two columns."""
    return text + " " * max(width - display_width(text), 1)
