from __future__ import annotations

from io import StringIO

import pytest
from django.core.management.color import no_style

from notifications import demo
from notifications.models import Robot

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_its_robot_is_disabled(city):
    city.code = "QZ"
    city.save()
    for _ in range(2):
        demo.seed(stdout=StringIO(), style=no_style())
    robot = Robot.objects.get()
    assert robot.region == city
    assert robot.is_active is False
