from __future__ import annotations

from decimal import Decimal

import pytest

from security.staffing import (
    TERM_BEDS,
    TERM_OUTPATIENTS,
    TERM_STAFF,
    GuardRatios,
    equipment_totals,
    post_equipment,
    required_guards,
)


def test_beds_term_rounds_up_601_beds_to_31_guards():
    result = required_guards(0, 601, 0)
    assert result.beds_term == 31
    assert result.required == 31
    assert result.deciding == (TERM_BEDS,)


def test_exact_multiple_of_beds_does_not_round_up():
    assert required_guards(0, 600, 0).beds_term == 30


def test_staff_term_can_be_the_maximum():
    # 3% of 1001 staff = 30.03 → 31; 100 beds → 5; 1000 visits at 3‰ → 3
    result = required_guards(1001, 100, 1000)
    assert (result.staff_term, result.beds_term, result.outpatient_term) == (31, 5, 3)
    assert result.required == 31
    assert result.deciding == (TERM_STAFF,)


def test_outpatient_term_is_per_mille_and_can_be_the_maximum():
    # 3‰ of 12,001 daily visits = 36.003 → 37, not 3% (= 361)
    result = required_guards(100, 100, 12001)
    assert result.outpatient_term == 37
    assert result.required == 37
    assert result.deciding == (TERM_OUTPATIENTS,)


def test_ties_name_every_deciding_term():
    result = required_guards(1000, 600, 10000)  # 30, 30, 30
    assert result.required == 30
    assert set(result.deciding) == {TERM_STAFF, TERM_BEDS, TERM_OUTPATIENTS}


def test_zero_figures_require_no_guards_and_name_no_term():
    result = required_guards(0, 0, 0)
    assert result.required == 0
    assert result.deciding == ()


def test_missing_figures_count_as_zero():
    result = required_guards(None, 45, None)
    assert (result.staff_term, result.beds_term, result.outpatient_term) == (0, 3, 0)
    assert result.required == 3


def test_one_bed_or_one_person_still_needs_a_guard():
    assert required_guards(1, 0, 0).required == 1
    assert required_guards(0, 1, 0).required == 1
    assert required_guards(0, 0, 1).required == 1


def test_custom_ratios_change_each_term():
    ratios = GuardRatios(
        staff_percent=Decimal("5"), beds_per_guard=10, outpatient_permille=Decimal("2.5")
    )
    result = required_guards(200, 95, 1000, ratios)
    assert (result.staff_term, result.beds_term, result.outpatient_term) == (10, 10, 3)  # 2.5 → 3
    assert result.required == 10


def test_decimal_ratios_do_not_suffer_float_error():
    # 0.1 + 0.2 style: 3% of 100 is exactly 3, never 3.0000000004 → 4
    assert required_guards(100, 0, 0).staff_term == 3
    ratios = GuardRatios(staff_percent=Decimal("0.7"), beds_per_guard=20)
    assert required_guards(1000, 0, 0, ratios).staff_term == 7


def test_zero_beds_per_guard_disables_the_beds_term_instead_of_crashing():
    ratios = GuardRatios(beds_per_guard=0)
    assert required_guards(0, 500, 0, ratios).beds_term == 0


def test_post_equipment_requires_one_per_guard_and_two_forks():
    post = post_equipment("正门岗", 3, {"helmets": 3, "shields": 1, "forks": 2, "radios": 5})
    lines = {line.field: line for line in post.lines}
    assert lines["helmets"].required == 3 and lines["helmets"].shortfall == 0
    assert lines["shields"].shortfall == 2
    assert lines["stab_vests"].shortfall == 3  # not recorded at all
    assert lines["forks"].required == 2 and lines["forks"].shortfall == 0
    assert lines["radios"].shortfall == 0  # a surplus is not negative
    # 8 per-guard items × 3 = 24 required, recorded helmets 3 + shields 1 + radios 3 (capped)
    assert post.shortfall_total == 0 + 2 + 3 + 3 + 3 + 3 + 3 + 0 + 0


def test_equipment_totals_do_not_let_one_posts_surplus_cover_anothers_gap():
    full = post_equipment("A", 1, {"helmets": 5})
    empty = post_equipment("B", 1, {})
    totals = {line.field: line for line in equipment_totals([full, empty])}
    assert totals["helmets"].required == 2
    assert totals["helmets"].recorded == 5
    assert totals["helmets"].shortfall == 1
    assert totals["forks"].required == 4 and totals["forks"].shortfall == 4


@pytest.mark.parametrize("beds,expected", [(19, 1), (20, 1), (21, 2), (39, 2), (40, 2), (41, 3)])
def test_beds_rounding_edges(beds, expected):
    assert required_guards(0, beds, 0).beds_term == expected
