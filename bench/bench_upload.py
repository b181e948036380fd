"""Benchmark: the most expensive upload request the limits allow, cleaned as a request would be.

Not a unit test. The worst allowed request is UPLOAD_MAX_FILES_PER_REQUEST files whose pixels
add up to UPLOAD_MAX_PIXELS_PER_REQUEST, each image as large as UPLOAD_MAX_PIXELS allows while
staying under UPLOAD_MAX_BYTES (so highly compressible PNGs: tiny to send, costly to re-encode):

    DEBUG=1 .venv/bin/python bench/bench_upload.py

Target: well under gunicorn's 60 s worker timeout (aim: < 15 s) and under 400 MB peak RSS.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from core.uploads import clean_evidence_upload, upload_budget  # noqa: E402


def worst_files() -> list[SimpleUploadedFile]:
    files, pixels_left = [], settings.UPLOAD_MAX_PIXELS_PER_REQUEST
    side = int(min(settings.UPLOAD_MAX_PIXELS, pixels_left) ** 0.5)
    for n in range(settings.UPLOAD_MAX_FILES_PER_REQUEST):
        side = min(side, int(pixels_left**0.5))
        if side < 16:
            break
        # A horizontal gradient: every row alike, so the PNG is small to send but every
        # pixel must still be decoded, converted and compressed again.
        row = Image.linear_gradient("L").resize((side, 1)).convert("RGB")
        image = row.resize((side, side))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        data = buffer.getvalue()
        assert len(data) <= settings.UPLOAD_MAX_BYTES, len(data)
        files.append(SimpleUploadedFile(f"worst-{n}.png", data, "image/png"))
        pixels_left -= side * side
    return files


def main() -> None:
    # Build the files in a child process so their construction does not count in the peak.
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        with os.fdopen(write_end, "wb") as out:
            pickle.dump([(f.name, f.read()) for f in worst_files()], out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as source:
        built = pickle.load(source)
    os.wait()
    files = [SimpleUploadedFile(name, data, "image/png") for name, data in built]
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sent = sum(f.size for f in files)
    pixels = sum(Image.open(io.BytesIO(f.read())).size[0] ** 2 for f in files)
    for f in files:
        f.seek(0)
    start = time.perf_counter()
    with upload_budget():
        cleaned = [clean_evidence_upload(f) for f in files]
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(files)} files, {sent / 1e6:.1f} MB sent, {pixels / 1e6:.0f} MP in all: "
        f"cleaned in {elapsed:.1f} s, stored {sum(c.size for c in cleaned) / 1e6:.1f} MB, "
        f"peak RSS {peak_mb:.0f} MB (before cleaning {before_mb:.0f} MB)"
    )


if __name__ == "__main__":
    main()
