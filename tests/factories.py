"""factory_boy factories for the foundation models. App-specific factories live beside their
tests (tests/<app>/factories.py) and build on these."""

from __future__ import annotations

import factory

from accounts.choices import Role
from accounts.models import User
from hospitals.models import BureauDepartment, Hospital, MedicalConsortium, Region
from hospitals.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DEFAULT_PASSWORD = "Safe-Hospital-2026"


def make_credit_code(n: int, division: str = "350582") -> str:
    """A valid 统一社会信用代码 for a public institution (事业单位, prefix 12) numbered n."""
    body = ""
    value = n
    for _ in range(9):
        body = CREDIT_CODE_ALPHABET[value % 31] + body
        value //= 31
    first17 = "12" + division + body
    return first17 + credit_code_check_char(first17)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"测试区域{n}")
    code = factory.Sequence(lambda n: f"R{n}")
    level = "county"


class BureauDepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BureauDepartment

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"科室{n}")


class MedicalConsortiumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalConsortium

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"医共体{n}")


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    name = factory.Sequence(lambda n: f"测试医院{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1000))
    level = "2"
    type = "general"
    ownership = "public"
    region = factory.SubFactory(RegionFactory)
    address = "福建省晋江市"
    beds_authorized = 500
    beds_actual = 480
    on_duty_staff = 600
    daily_outpatients = 3000
    legal_representative = "张三"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BureauUserFactory(UserFactory):
    role = Role.BUREAU
    region = factory.SubFactory(RegionFactory)


class AdminUserFactory(UserFactory):
    role = Role.ADMIN
    region = factory.SubFactory(RegionFactory)


class OfficerFactory(UserFactory):
    role = Role.OFFICER
    hospital = factory.SubFactory(HospitalFactory)
