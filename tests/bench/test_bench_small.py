"""The benchmark's generator and harness at a tiny size (CI keeps them working; no timings
are asserted), and the query budget of every measured page: constant as the data grows."""

from __future__ import annotations

import pytest

from bench import harness
from bench.generate import Sizes, generate, grow
from bench.report import render

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def quiet(*_args) -> None:
    pass


TINY = Sizes(cities=2, counties_per_city=2, hospitals=8, hazards=300, inspections=40, months=3)


@pytest.fixture
def dataset():
    return generate(TINY, log=lambda *_: None)


def test_generator_writes_every_kind_of_row(dataset):
    counts = dataset["counts"]
    assert counts["hazards"] == 300
    assert counts["hazard_events"] >= 300
    assert counts["inspections"] == 40
    assert counts["regions"] == 1 + 2 + 4
    assert counts["hospitals"] == 8


def test_harness_measures_every_page_and_writes_results(dataset):
    measured = [
        harness.measure_page(page, 1, warm=0, log=lambda *_: None) for page in harness.pages()
    ]
    assert {m.status for m in measured} == {200}
    text = render(
        machine=harness.machine(),
        sizes=harness.sizes(),
        pages=measured,
        reminders=harness.reminder_scan(),
        ledger=None,
        throughput=None,
        plans=[("/hazards/ (province)", harness.explain_list_queries("province", "/hazards/"))],
    )
    assert "hazard list p1 (province)" in text
    assert "dashboard (province)" in text


def test_query_count_of_every_page_does_not_grow_with_the_data(dataset):
    def queries() -> dict:
        return {
            page.name: harness.measure_page(page, 1, warm=1, floor=False, log=quiet).queries
            for page in harness.pages()
        }

    before = queries()
    grow(600)
    after = queries()
    assert after == before
