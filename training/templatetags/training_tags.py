"""The computed training figures shown beside the checklist items that ask for them (seed 001
(七): 每年两次以上全员安全生产培训; 新进员工培训率 100%, 特种作业人员持证上岗率 100%)."""

from __future__ import annotations

from django import template

from training.selectors import training_figures

register = template.Library()

# Checklist item codes (inspections/checklist_seed.py, SAFETY) → which figures they ask for.
ITEM_FIGURES = {
    "TRAIN-03": ("all_staff",),
    "TRAIN-04": ("new_staff", "certified"),
}


@register.inclusion_tag("training/_item_figures.html")
def training_item_figures(code, inspection):
    """Nothing for other items; for a training item, the hospital's figures for the year of
    the inspection, loaded once per inspection (3 queries) whatever the number of items."""
    wanted = ITEM_FIGURES.get(code or "")
    if not wanted or inspection is None:
        return {"figures": None}
    cached = getattr(inspection, "_training_figures", None)
    if cached is None:
        cached = training_figures(inspection.hospital, inspection.inspected_on.year)
        inspection._training_figures = cached
    return {"figures": cached, "wanted": wanted}
