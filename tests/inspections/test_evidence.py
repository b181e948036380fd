"""Checklist photos are stored exactly once, travel apart from the item's autosave, and are
deleted only after a confirmation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from inspections.choices import PhotoKind, Result
from inspections.models import AnswerPhoto

from .conftest import png_file
from .factories import started

pytestmark = pytest.mark.django_db

FETCH = {"X-Requested-With": "fetch"}
KEY = "0b7f4c1e-5d7a-4c8e-9f3a-2b1c0d9e8f7a"


def _stored_files(inspection) -> list[Path]:
    folder = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "inspections"
    folder = folder / str(inspection.pk)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _fields(answer, **data) -> dict:
    payload = {
        "section": 1,
        "result": answer.result,
        "note": answer.note,
        "hazard_location": answer.hazard_location,
        "hazard_description": answer.hazard_description,
        "hazard_category": answer.hazard_category,
        "hazard_risk_level": answer.hazard_risk_level,
        "hazard_deadline": "",
        "rectification_measures": "",
    }
    payload.update(data)
    return payload


def _save(client, inspection, answer, *, fetch=False, **data):
    return client.post(
        reverse("inspections:answer_save", args=[inspection.pk, answer.pk]),
        _fields(answer, **data),
        headers=FETCH if fetch else {},
    )


def _upload(client, inspection, answer, key, **files):
    """What record.js sends for one chosen file: the file and its key, no item fields."""
    return client.post(
        reverse("inspections:answer_photo_upload", args=[inspection.pk, answer.pk]),
        {"section": 1, "upload_key": key, **files},
        headers=FETCH,
    )


@pytest.fixture
def draft(officer_a, hospital_a, safety_template, client):
    inspection = started(officer_a, hospital_a)
    client.force_login(officer_a)
    return inspection


def test_the_same_upload_key_twice_stores_one_photo_and_one_file(client, draft):
    answer = draft.answers.get(item__code="FIRE-05")
    first = _upload(client, draft, answer, KEY, photos=png_file("corridor.png"))
    assert first.status_code == 200
    assert first.json()["stored"] == 1
    # The phone lost the answer and sent the same upload again (same key, same file).
    again = _upload(client, draft, answer, KEY, photos=png_file("corridor.png"))
    assert again.status_code == 200
    assert again.json() | {"html": ""} == {"ok": True, "stored": 0, "errors": [], "html": ""}
    assert AnswerPhoto.objects.filter(answer=answer).count() == 1
    assert len(_stored_files(draft)) == 1
    assert "corridor.png" in again.json()["html"]


def test_resending_the_same_page_form_stores_nothing_twice(client, draft):
    """Without JavaScript: the hidden key of the rendered form, two files in one request."""
    answer = draft.answers.get(item__code="FIRE-06")
    page = client.get(reverse("inspections:record", args=[draft.pk])).content.decode()
    key = re.search(rf'id="item-{answer.pk}".*?name="upload_key" value="([^"]+)"', page, re.S)
    key = key.group(1)
    for _attempt in range(2):
        response = _save(
            client,
            draft,
            answer,
            result="pass",
            note="灭火器齐全",
            upload_key=key,
            photos=[png_file("a.png", (1, 2, 3)), png_file("b.png", (4, 5, 6))],
        )
        assert response.status_code == 302
    photos = AnswerPhoto.objects.filter(answer=answer)
    assert photos.count() == 2
    assert len({photo.upload_key for photo in photos}) == 2
    assert len(_stored_files(draft)) == 2
    # The next rendering carries a new key: a new choice of files is a new attempt.
    page = client.get(reverse("inspections:record", args=[draft.pk])).content.decode()
    assert f'value="{key}"' not in page


def test_an_identical_file_is_refused_and_the_note_of_the_same_request_saved(client, draft):
    answer = draft.answers.get(item__code="LOGI-02")
    _upload(client, draft, answer, KEY, photos=png_file("wires.png"))
    response = _save(
        client,
        draft,
        answer,
        fetch=True,
        result="fail",
        note="宿舍私拉电线,已拍照",
        upload_key="1c2d3e4f-0000-4000-8000-000000000001",
        photos=[png_file("wires-again.png")],
    )
    assert response.status_code == 400
    data = response.json()
    assert data["ok"] is False
    assert data["saved"] is True
    assert any("相同的文件已经上传过(wires.png)" in error for error in data["errors"])
    answer.refresh_from_db()
    assert (answer.result, answer.note) == (Result.FAIL, "宿舍私拉电线,已拍照")
    assert AnswerPhoto.objects.filter(answer=answer).count() == 1
    assert len(_stored_files(draft)) == 1  # no orphan file for the refused one


def test_an_identical_file_without_javascript_shows_the_message_next_to_the_input(client, draft):
    answer = draft.answers.get(item__code="LOGI-03")
    _upload(client, draft, answer, KEY, after_photos=png_file("fixed.png"))
    response = _save(
        client,
        draft,
        answer,
        section=2,
        result="fail",
        note="燃气报警器已更换",
        upload_key="2c2d3e4f-0000-4000-8000-000000000002",
        after_photos=[png_file("fixed-copy.png")],
    )
    assert response.status_code == 400
    content = response.content.decode()
    card = content.split(f'id="item-{answer.pk}"')[1].split('class="card mb-3')[0]
    error_box = re.search(r'data-upload-error="after"[^>]*>([^<]*)<', card).group(1)
    assert "相同的文件已经上传过" in error_box
    assert "燃气报警器已更换" in content  # the typed note is on the page (and saved)
    answer.refresh_from_db()
    assert answer.note == "燃气报警器已更换"
    assert list(answer.photos.values_list("kind", flat=True)) == [PhotoKind.AFTER]


def test_the_same_file_on_another_item_is_not_a_duplicate(client, draft):
    one, other = draft.answers.filter(item__section__order=1)[:2]
    assert _upload(client, draft, one, KEY, photos=png_file()).status_code == 200
    response = _upload(client, draft, other, KEY, photos=png_file())
    assert response.status_code == 200
    assert AnswerPhoto.objects.count() == 2


def test_a_bad_file_does_not_make_later_note_saves_fail(client, draft):
    answer = draft.answers.get(item__code="FIRE-03")
    bad = SimpleUploadedFile("scan.png", b"not an image", content_type="image/png")
    response = _upload(client, draft, answer, KEY, photos=bad)
    assert response.status_code == 400
    assert "不支持的文件类型" in " ".join(response.json()["errors"])
    # The page's next autosave of the item carries the fields only.
    response = _save(client, draft, answer, fetch=True, result="pass", note="联动测试正常")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    answer.refresh_from_db()
    assert (answer.result, answer.note) == (Result.PASS, "联动测试正常")
    assert answer.photos.count() == 0


def test_a_bad_file_posted_with_the_note_keeps_the_note(client, draft):
    answer = draft.answers.get(item__code="FIRE-04")
    bad = SimpleUploadedFile("doc.png", b"<html>", content_type="image/png")
    response = _save(
        client, draft, answer, fetch=True, result="pass", note="防火门常闭", photos=bad
    )
    assert response.status_code == 400
    assert response.json()["saved"] is True
    answer.refresh_from_db()
    assert answer.note == "防火门常闭"
    # And the next save, without the file, is accepted.
    response = _save(client, draft, answer, fetch=True, result="pass", note="防火门常闭,已检查")
    assert response.status_code == 200


def test_a_bad_file_in_one_input_does_not_cost_the_good_file_of_the_other(client, draft):
    answer = draft.answers.get(item__code="FIRE-06")
    bad = SimpleUploadedFile("notes.png", b"plain text", content_type="image/png")
    response = _save(
        client,
        draft,
        answer,
        result="fail",
        note="灭火器已当场更换",
        upload_key="3c2d3e4f-0000-4000-8000-000000000003",
        photos=[bad],
        after_photos=[png_file("new-extinguisher.png")],
    )
    assert response.status_code == 400
    assert "notes.png: 不支持的文件类型" in response.content.decode()
    answer.refresh_from_db()
    assert answer.note == "灭火器已当场更换"
    assert list(answer.photos.values_list("original_name", "kind")) == [
        ("new-extinguisher.png", PhotoKind.AFTER)
    ]


def test_an_upload_without_a_file_is_refused_with_a_message(client, draft):
    answer = draft.answers.first()
    response = _upload(client, draft, answer, KEY)
    assert response.status_code == 400
    assert response.json()["errors"] == ["请选择要上传的照片。"]


def test_the_database_refuses_a_second_row_for_one_key_or_one_file(client, draft):
    answer = draft.answers.first()
    _upload(client, draft, answer, KEY, photos=png_file())
    photo = AnswerPhoto.objects.get()
    for duplicate in (
        {"upload_key": photo.upload_key, "sha256": "f" * 64},
        {"upload_key": "", "sha256": photo.sha256},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AnswerPhoto.objects.create(
                answer=answer,
                file=photo.file.name,
                original_name="x.png",
                content_type="image/png",
                size=1,
                **duplicate,
            )


def test_deleting_a_photo_asks_first(client, draft, django_capture_on_commit_callbacks):
    answer = draft.answers.get(item__code="FIRE-01")
    _upload(client, draft, answer, KEY, photos=png_file("room.png"))
    photo = AnswerPhoto.objects.get()
    url = reverse("inspections:photo_delete", args=[draft.pk, photo.pk])

    page = client.get(reverse("inspections:record", args=[draft.pk])).content.decode()
    assert f'href="{url}?section=1"' in page and "data-confirm=" in page

    asked = client.get(url + "?section=1")  # the link without JavaScript
    assert asked.status_code == 200
    content = asked.content.decode()
    assert "确定删除照片“room.png”" in content
    assert 'name="confirm" value="1"' in content

    assert client.post(url, {"section": 1}).status_code == 200  # unconfirmed: still a question
    assert AnswerPhoto.objects.filter(pk=photo.pk).exists()
    assert len(_stored_files(draft)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"section": 1, "confirm": "1"}, headers=FETCH)
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert "room.png" not in response.json()["html"]
    assert not AnswerPhoto.objects.filter(pk=photo.pk).exists()
    assert _stored_files(draft) == []


def test_inspection_templates_have_no_inline_script():
    """A strict CSP is coming: confirmations and autosave live in static files."""
    folder = Path(settings.BASE_DIR) / "templates" / "inspections"
    for path in folder.glob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son(submit|click)\s*=", text), path.name
        assert "confirm(" not in text, path.name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path.name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False])
def test_concurrent_uploads_of_one_file_store_it_once(
    officer_a, hospital_a, safety_template, same_key
):
    """Two requests at once (a double tap, a retry racing the original): one row, one file;
    the other request gets the first row back (same key) or the duplicate refusal."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from core.uploads import clean_image_upload
    from inspections.services import answer_photo_add

    inspection = started(officer_a, hospital_a)
    answer = inspection.answers.first()
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run(index):
        try:
            upload = clean_image_upload(png_file(f"{index}.png"))
            key = KEY if same_key else f"{KEY[:-1]}{index}"
            barrier.wait()
            outcomes.append(
                answer_photo_add(
                    answer=answer, by=officer_a, upload=upload, kind="finding", upload_key=key
                )[1]
            )
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AnswerPhoto.objects.filter(answer=answer).count() == 1
    assert len(_stored_files(inspection)) == 1
    assert True in outcomes
    other = next(outcome for outcome in outcomes if outcome is not True)
    assert other is False if same_key else "相同的文件已经上传过" in other
