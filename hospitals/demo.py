"""Demo regions and hospitals (the users are `accounts.demo`): 福建省 > 泉州市 > 晋江市 / 南安市 / 惠安县.

Idempotent: every row is looked up by its natural key (region code, department region+name,
consortium name, hospital credit code), so running `seed_demo` again updates the
rows in place instead of duplicating them. Later apps find the demo data through the constants
below (e.g. `Hospital.objects.get(name=JJ_HOSPITAL)`).
"""

from __future__ import annotations

import hashlib

from .choices import Demonstration, HospitalLevel, HospitalType, Ownership, RegionLevel
from .models import BureauDepartment, Hospital, MedicalConsortium, Region
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_char

JJ_HOSPITAL = "晋江市医院"
NA_HOSPITAL = "南安市医院"
HA_HOSPITAL = "惠安县医院"

# code, name, level, parent code, administrative division code (first digits of credit codes)
REGIONS = [
    ("FJ", "福建省", RegionLevel.PROVINCE, None, "350000"),
    ("QZ", "泉州市", RegionLevel.CITY, "FJ", "350500"),
    ("JJ", "晋江市", RegionLevel.COUNTY, "QZ", "350582"),
    ("NA", "南安市", RegionLevel.COUNTY, "QZ", "350583"),
    ("HA", "惠安县", RegionLevel.COUNTY, "QZ", "350521"),
]
DIVISIONS = {code: division for code, _name, _level, _parent, division in REGIONS}

DEPARTMENTS = {
    "QZ": ["医政医管科", "疾病预防控制科", "规划发展与信息化科"],
    "JJ": ["医政科", "公卫科", "规划信息科", "基层卫生科", "中医科"],
    "NA": ["医政股", "公卫股", "规划信息股"],
    "HA": ["医政股", "公卫股", "基层卫生股"],
}

CONSORTIA = {
    "晋江市医院医共体": "JJ",
    "晋江市第二医院医共体": "JJ",
    "南安市医院医共体": "NA",
    "惠安县医院医共体": "HA",
}

L1, L2, L3 = HospitalLevel.LEVEL_1, HospitalLevel.LEVEL_2, HospitalLevel.LEVEL_3
GEN, TCM, MCH = HospitalType.GENERAL, HospitalType.TCM, HospitalType.MATERNAL_CHILD
SPEC, COMM, TOWN = HospitalType.SPECIALIST, HospitalType.COMMUNITY, HospitalType.TOWNSHIP
PUB, PRI = Ownership.PUBLIC, Ownership.PRIVATE

# name, region, level, type, ownership, beds (authorized, actual), staff, daily outpatients,
# address, consortium (lead?), demonstration, linked department, legal rep, controller, security head
# fmt: off
HOSPITALS = [
    # 泉州市 (city-level institutions)
    ("泉州市第一医院", "QZ", L3, GEN, PUB, (1800, 2100), 2650, 7800, "泉州市鲤城区东街250号", None, Demonstration.CITY, "医政医管科", "王建华", "", "林志强"),
    ("泉州市妇幼保健院·儿童医院", "QZ", L3, MCH, PUB, (800, 860), 1320, 4200, "泉州市丰泽区丰泽街700号", None, "", "疾病预防控制科", "陈丽娟", "", "黄伟明"),
    # 晋江市
    (JJ_HOSPITAL, "JJ", L3, GEN, PUB, (1500, 1620), 2100, 6500, "晋江市青阳街道泉安中路16号", ("晋江市医院医共体", True), Demonstration.CITY, "医政科", "许文彬", "", "蔡志坚"),
    ("晋江市中医院", "JJ", L3, TCM, PUB, (800, 820), 1050, 3600, "晋江市青阳街道晋新路", None, Demonstration.SYSTEM, "中医科", "庄明辉", "", "吴国栋"),
    ("晋江市妇幼保健院", "JJ", L2, MCH, PUB, (400, 380), 620, 2100, "晋江市罗山街道世纪大道", None, Demonstration.SYSTEM, "公卫科", "施雅琴", "", "洪建新"),
    ("晋江市第二医院", "JJ", L2, GEN, PUB, (600, 650), 820, 2800, "晋江市安海镇安平路", ("晋江市第二医院医共体", True), Demonstration.SYSTEM, "医政科", "颜志平", "", "陈振华"),
    ("晋江市安海医院", "JJ", L2, GEN, PUB, (350, 360), 480, 1500, "晋江市安海镇成功街", ("晋江市第二医院医共体", False), "", "医政科", "柯家伟", "", "黄国强"),
    ("晋江市第三医院", "JJ", L2, GEN, PUB, (300, 310), 420, 1300, "晋江市金井镇金山路", ("晋江市医院医共体", False), Demonstration.SYSTEM, "规划信息科", "张德胜", "", "丁文华"),
    ("晋江市精神康复医院", "JJ", L2, SPEC, PUB, (500, 470), 260, 180, "晋江市紫帽镇园坂村", None, Demonstration.SYSTEM, "公卫科", "李玉兰", "", "苏建平"),
    ("晋江市青阳街道社区卫生服务中心", "JJ", L1, COMM, PUB, (30, 20), 85, 420, "晋江市青阳街道梅岭路", ("晋江市医院医共体", False), "", "基层卫生科", "王秀英", "", "杨海峰"),
    ("晋江市磁灶镇卫生院", "JJ", L1, TOWN, PUB, (60, 55), 110, 380, "晋江市磁灶镇大埔村", ("晋江市医院医共体", False), "", "基层卫生科", "吴金水", "", "吴建国"),
    ("晋江市池店镇卫生院", "JJ", L1, TOWN, PUB, (40, 40), 95, 350, "晋江市池店镇池店村", ("晋江市第二医院医共体", False), "", "基层卫生科", "林清泉", "", "林伟"),
    ("晋江仁和医院", "JJ", L2, GEN, PRI, (300, 260), 380, 1100, "晋江市西园街道世纪大道1020号", None, Demonstration.SYSTEM, "规划信息科", "蔡国华", "蔡永强", "曾文杰"),
    ("晋江明德口腔医院", "JJ", L1, SPEC, PRI, (0, 0), 45, 160, "晋江市梅岭街道长兴路88号", None, "", "规划信息科", "许晓东", "许晓东", "许志明"),
    # 南安市
    (NA_HOSPITAL, "NA", L3, GEN, PUB, (1200, 1300), 1600, 5200, "南安市溪美街道成功街", ("南安市医院医共体", True), Demonstration.CITY, "医政股", "黄志明", "", "潘建设"),
    ("南安市中医院", "NA", L2, TCM, PUB, (500, 520), 640, 2300, "南安市美林街道南洪路", None, "", "医政股", "傅明达", "", "李国平"),
    ("南安市妇幼保健院", "NA", L2, MCH, PUB, (250, 230), 360, 1200, "南安市溪美街道新华街", None, "", "公卫股", "戴美玲", "", "洪志勇"),
    ("南安市第二医院", "NA", L2, GEN, PUB, (400, 420), 510, 1600, "南安市官桥镇官桥街", ("南安市医院医共体", False), "", "医政股", "吕文辉", "", "吕建成"),
    ("南安市水头镇卫生院", "NA", L1, TOWN, PUB, (80, 70), 130, 520, "南安市水头镇水头街", ("南安市医院医共体", False), "", "公卫股", "陈志远", "", "陈宏"),
    ("南安市溪美街道社区卫生服务中心", "NA", L1, COMM, PUB, (20, 10), 70, 300, "南安市溪美街道柳城路", ("南安市医院医共体", False), "", "公卫股", "郑丽华", "", "郑伟东"),
    ("南安市康美镇卫生院", "NA", L1, TOWN, PUB, (40, 35), 75, 260, "南安市康美镇康美村", ("南安市医院医共体", False), "", "规划信息股", "叶春生", "", "叶明"),
    ("南安成功医院", "NA", L2, GEN, PRI, (200, 180), 260, 800, "南安市溪美街道江北大道", None, "", "规划信息股", "洪振东", "洪振东", "洪少华"),
    ("南安康宁眼科医院", "NA", L1, SPEC, PRI, (30, 25), 40, 150, "南安市柳城街道金街", None, "", "规划信息股", "李建国", "王美珍", "李志伟"),
    # 惠安县
    (HA_HOSPITAL, "HA", L2, GEN, PUB, (900, 960), 1100, 3800, "惠安县螺城镇建设路", ("惠安县医院医共体", True), Demonstration.CITY, "医政股", "庄永福", "", "庄志华"),
    ("惠安县中医院", "HA", L2, TCM, PUB, (300, 320), 400, 1400, "惠安县螺城镇八二三中路", None, "", "医政股", "骆建新", "", "骆明"),
    ("惠安县妇幼保健院", "HA", L2, MCH, PUB, (150, 140), 230, 700, "惠安县螺城镇南门街", None, "", "公卫股", "郭丽君", "", "郭建平"),
    ("惠安县第二医院", "HA", L1, GEN, PUB, (150, 160), 200, 650, "惠安县东园镇东园街", ("惠安县医院医共体", False), "", "医政股", "张国梁", "", "张伟"),
    ("惠安县螺城镇社区卫生服务中心", "HA", L1, COMM, PUB, (20, 15), 60, 280, "惠安县螺城镇中山路", ("惠安县医院医共体", False), "", "基层卫生股", "黄秀珍", "", "黄志勇"),
    ("惠安县崇武镇卫生院", "HA", L1, TOWN, PUB, (60, 50), 90, 330, "惠安县崇武镇海滨路", ("惠安县医院医共体", False), "", "基层卫生股", "杨海生", "", "杨建华"),
    ("惠安县东岭镇卫生院", "HA", L1, TOWN, PUB, (30, 30), 55, 210, "惠安县东岭镇东岭街", ("惠安县医院医共体", False), "", "基层卫生股", "刘金福", "", "刘明"),
    ("惠安华康医院", "HA", L1, GEN, PRI, (99, 80), 120, 400, "惠安县螺阳镇世纪大道", None, "", "公卫股", "曾志鹏", "曾庆辉", "曾国华"),
]
# fmt: on


PHONE_PREFIXES = ("138", "139", "135", "137", "159", "186")


def demo_credit_code(name: str, division: str, ownership: str) -> str:
    """A valid, stable 统一社会信用代码: 12 (事业单位) for public and 52 (民办非企业单位) for
    private institutions, the division code, a 9-character body derived from the name, and
    the GB 32100 check character."""
    prefix = "12" if ownership == Ownership.PUBLIC else "52"
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    body = ""
    for _ in range(9):
        body += CREDIT_CODE_ALPHABET[digest % 31]
        digest //= 31
    first17 = prefix + division + body
    return first17 + credit_code_check_char(first17)


def demo_phone(name: str) -> str:
    digest = int(hashlib.sha256(("phone" + name).encode()).hexdigest(), 16)
    return PHONE_PREFIXES[digest % len(PHONE_PREFIXES)] + f"{digest % 10**8:08d}"


def _upsert(model, defaults=None, **lookup):
    """update_or_create that writes only when something changed, so a second run of the demo
    leaves no new rows, not even in the change history."""
    defaults = defaults or {}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save()
    return obj, False


def seed(*, stdout, style) -> None:
    regions: dict[str, Region] = {}
    for code, name, level, parent_code, _division in REGIONS:
        region, _created = _upsert(
            Region,
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": regions.get(parent_code) if parent_code else None,
            },
        )
        regions[code] = region
    # Jinjiang's local rule: self-inspection on the 15th, linked departments on the 26th.
    Region.objects.filter(pk=regions["JJ"].pk).update(
        self_inspection_day=15, linked_inspection_day=26
    )

    departments: dict[tuple[str, str], BureauDepartment] = {}
    for region_code, names in DEPARTMENTS.items():
        for name in names:
            department, _created = BureauDepartment.objects.get_or_create(
                region=regions[region_code], name=name
            )
            departments[(region_code, name)] = department

    consortia: dict[str, MedicalConsortium] = {}
    for name, region_code in CONSORTIA.items():
        consortium, _created = _upsert(
            MedicalConsortium, name=name, defaults={"region": regions[region_code]}
        )
        consortia[name] = consortium

    hospitals: dict[str, Hospital] = {}
    for row in HOSPITALS:
        (
            name,
            region_code,
            level,
            kind,
            ownership,
            (beds_authorized, beds_actual),
            staff,
            outpatients,
            address,
            consortium,
            demonstration,
            department_name,
            legal_rep,
            controller,
            security_head,
        ) = row
        code = demo_credit_code(name, DIVISIONS[region_code], ownership)
        hospital, _created = _upsert(
            Hospital,
            credit_code=code,
            defaults={
                "name": name,
                "level": level,
                "type": kind,
                "ownership": ownership,
                "region": regions[region_code],
                "address": f"福建省{address}",
                "beds_authorized": beds_authorized,
                "beds_actual": beds_actual,
                "on_duty_staff": staff,
                "daily_outpatients": outpatients,
                "consortium": consortia[consortium[0]] if consortium else None,
                "is_consortium_lead": bool(consortium and consortium[1]),
                "demonstration": demonstration,
                "linked_department": departments[(region_code, department_name)],
                "legal_representative": legal_rep,
                "actual_controller": controller,
                "security_head": security_head,
                "security_head_phone": demo_phone(security_head + name),
                "contact_person": security_head,
                "contact_phone": demo_phone(name),
                "is_active": True,
            },
        )
        hospitals[name] = hospital

    stdout.write(
        style.SUCCESS(
            f"hospitals demo: {len(regions)} regions, {len(departments)} departments, "
            f"{len(consortia)} consortia, {len(hospitals)} institutions"
        )
    )
