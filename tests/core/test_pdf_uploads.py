"""PDF evidence: anything a viewer would run or open by itself is refused, however it hides."""

from __future__ import annotations

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from reportlab.pdfgen import canvas

from core.uploads import clean_evidence_upload


def clean_pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "rectification report")
    page.showPage()
    page.save()
    return buffer.getvalue()


def as_upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("report.pdf", data, "application/pdf")


def written(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def assemble(objects: dict[int, bytes], *, root: int, xref_stream_entries=None) -> bytes:
    """A PDF from numbered object bodies, with a classic xref table (or an xref stream when
    some objects live in an object stream)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    if xref_stream_entries is None:
        size = max(objects) + 1
        start = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for number in range(1, size):
            out += b"%010d 00000 n \n" % offsets[number]
        out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            size,
            root,
            start,
        )
        return bytes(out)
    xref_number = max(max(objects), max(xref_stream_entries)) + 1
    start = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in xref_stream_entries:  # (object stream number, index)
            stream, index = xref_stream_entries[number]
            rows.append(b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big"))
        elif number == xref_number:
            rows.append(b"\x01" + start.to_bytes(4, "big") + b"\x00\x00")
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    data = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
        % (xref_number, xref_number + 1, root, len(data))
        + data
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
    return bytes(out)


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
}


def javascript_in_object_stream() -> bytes:
    hidden = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"5 0 "
    packed = zlib.compress(header + hidden)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        **PAGES,
        4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream",
    }
    data = assemble(objects, root=1, xref_stream_entries={5: (4, 0)})
    assert b"JavaScript" not in data  # invisible to a byte search
    return data


def name_escaped_javascript() -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        **PAGES,
        4: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
    }
    data = assemble(objects, root=1)
    assert b"/JavaScript" not in data and b"/JS " not in data
    return data


def document_level_javascript() -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript 4 0 R >> >>",
        **PAGES,
        4: b"<< /Names [(init) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >>",
    }
    return assemble(objects, root=1)


def launch_action() -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>",
        **PAGES,
    }
    return assemble(objects, root=1)


def open_action_destination() -> bytes:
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", **PAGES}
    return assemble(objects, root=1)


def test_a_plain_pdf_is_accepted():
    cleaned = clean_evidence_upload(as_upload(clean_pdf_bytes()))
    assert cleaned.kind == "pdf" and cleaned.content_type == "application/pdf"


def test_an_open_action_that_only_shows_a_page_is_accepted():
    assert clean_evidence_upload(as_upload(open_action_destination())).kind == "pdf"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(document_level_javascript, id="document-js"),
        pytest.param(
            lambda: written(lambda w: w.add_attachment("x.exe", b"MZ")), id="embedded-file"
        ),
        pytest.param(javascript_in_object_stream, id="js-in-compressed-object-stream"),
        pytest.param(name_escaped_javascript, id="name-escaped-js"),
        pytest.param(launch_action, id="launch"),
        pytest.param(lambda: written(lambda w: w.encrypt("secret")), id="encrypted"),
    ],
)
def test_active_or_uncheckable_pdf_is_refused(make):
    with pytest.raises(ValidationError) as refused:
        clean_evidence_upload(as_upload(make()))
    assert refused.value.code in ("active_pdf", "bad_pdf")


def test_hidden_javascript_gets_the_active_content_message():
    for make in (javascript_in_object_stream, name_escaped_javascript):
        with pytest.raises(ValidationError) as refused:
            clean_evidence_upload(as_upload(make()))
        assert refused.value.code == "active_pdf"
        assert "脚本" in refused.value.messages[0]


@pytest.mark.django_db
def test_pdf_evidence_is_downloaded_never_shown_inline(client, officer_a, hospital_a):
    from hazards.services import hazard_add_evidence
    from tests.hazards.factories import raise_hazard

    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
    (pdf,) = hazard_add_evidence(
        hazard=hazard,
        by=officer_a,
        files=[clean_evidence_upload(as_upload(clean_pdf_bytes()))],
        stage="before",
    )
    client.force_login(officer_a)
    response = client.get(pdf.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
