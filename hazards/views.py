from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from core.http import file_response

from .models import Hazard, HazardEvidence


def _get_hazard(request, pk: int) -> Hazard:
    return get_object_or_404(
        Hazard.objects.visible_to(request.user).select_related("hospital", "hospital__region"),
        pk=pk,
    )


def hazard_detail(request, pk: int):
    hazard = _get_hazard(request, pk)
    return render(request, "hazards/detail.html", {"hazard": hazard})


def evidence_download(request, pk: int, evidence_pk: int):
    hazard = _get_hazard(request, pk)
    evidence = get_object_or_404(HazardEvidence, hazard=hazard, pk=evidence_pk)
    return file_response(
        evidence.file.open("rb"),
        evidence.original_name,
        evidence.content_type,
        inline=evidence.is_image or evidence.content_type == "application/pdf",
    )
