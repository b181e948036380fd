"""Thin Celery tasks: each calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="inspections.generate_assignments")
def generate_assignments() -> int:
    """Create this month's remaining and next month's inspection-day assignments."""
    return services.assignments_generate_upcoming()
