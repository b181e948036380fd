"""4+N evidence is stored once: a repeated upload key returns the first row, an identical file
is refused with a message."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from core.uploads import clean_evidence_upload
from security.choices import ItemKind
from security.forms import EvidenceForm
from security.models import ItemEvidence
from security.services import SecurityError, evidence_add
from tests.security.factories import png_upload

pytestmark = pytest.mark.django_db


def _stored_files(item) -> list[str]:
    return sorted(e.file.name for e in ItemEvidence.objects.filter(item=item))


def test_same_upload_key_twice_stores_one_row_and_one_file(items_a, officer_a):
    item = items_a[ItemKind.SCREENING]
    key = uuid.uuid4().hex
    first = evidence_add(
        item=item, uploads=[clean_evidence_upload(png_upload())], upload_key=key, by=officer_a
    )
    again = evidence_add(
        item=item, uploads=[clean_evidence_upload(png_upload())], upload_key=key, by=officer_a
    )
    assert [e.pk for e in again] == [e.pk for e in first]
    assert ItemEvidence.objects.filter(item=item).count() == 1
    stored = ItemEvidence.objects.get(item=item)
    assert stored.upload_key and len(stored.sha256) == 64
    assert stored.file.storage.exists(stored.file.name)
    media = stored.file.storage.listdir(f"security/evidence/{item.hospital_id}")[1]
    assert len(media) == 1
    assert item.events.filter(action="evidence_added").count() == 1


def test_identical_file_with_another_key_is_refused_with_the_message(items_a, officer_a):
    item = items_a[ItemKind.SCREENING]
    evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=officer_a)
    with pytest.raises(SecurityError, match="相同的文件已经上传过"):
        evidence_add(
            item=item,
            uploads=[clean_evidence_upload(png_upload("另一个名字.png"))],
            upload_key=uuid.uuid4().hex,
            by=officer_a,
        )
    assert ItemEvidence.objects.filter(item=item).count() == 1


def test_the_same_file_may_be_evidence_of_two_items(items_a, officer_a):
    for kind in (ItemKind.SCREENING, ItemKind.ALARM):
        evidence_add(
            item=items_a[kind], uploads=[clean_evidence_upload(png_upload())], by=officer_a
        )
    assert ItemEvidence.objects.count() == 2


def test_upload_form_carries_a_fresh_hidden_key_and_a_replayed_post_stores_once(
    items_a, officer_a, client_for
):
    item = items_a[ItemKind.SCREENING]
    client = client_for(officer_a)
    page = client.get(reverse("security:item", args=[item.pk])).content.decode()
    assert 'type="hidden" name="upload_key"' in page
    assert EvidenceForm()["upload_key"].value() != EvidenceForm()["upload_key"].value()

    key = uuid.uuid4().hex
    url = reverse("security:item_evidence", args=[item.pk])
    client.post(url, {"files": [png_upload()], "upload_key": key})
    response = client.post(url, {"files": [png_upload()], "upload_key": key}, follow=True)
    assert response.status_code == 200
    assert ItemEvidence.objects.filter(item=item).count() == 1
    # A new attempt (new key) with the same photo is refused and says so.
    response = client.post(
        url, {"files": [png_upload()], "upload_key": uuid.uuid4().hex}, follow=True
    )
    assert "相同的文件已经上传过" in response.content.decode()
    assert ItemEvidence.objects.filter(item=item).count() == 1
