from __future__ import annotations

import io

import pytest
from django.core.management.color import no_style

from training import demo
from training.models import Certificate, ResponsibilityLetter, SessionFile, TrainingSession

pytestmark = pytest.mark.django_db


def test_demo_seeds_each_hospital_with_an_officer_once(hospital_a, officer_a, hospital_b):
    demo.seed(stdout=io.StringIO(), style=no_style())
    assert TrainingSession.objects.filter(hospital=hospital_a).count() >= 6
    assert not TrainingSession.objects.filter(hospital=hospital_b).exists()  # no officer
    assert SessionFile.objects.filter(kind="sign_in").exists()
    assert Certificate.objects.filter(hospital=hospital_a).count() == 5
    assert ResponsibilityLetter.objects.filter(hospital=hospital_a).count() >= 2
    counts = (TrainingSession.objects.count(), Certificate.objects.count())
    demo.seed(stdout=io.StringIO(), style=no_style())
    assert (TrainingSession.objects.count(), Certificate.objects.count()) == counts
