"""The 4+N and notification pages run under a strict CSP: no inline handlers or scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def _templates():
    root = Path(settings.BASE_DIR) / "templates"
    return sorted([*root.glob("security/*.html"), *root.glob("notifications/*.html")])


@pytest.mark.parametrize("path", _templates(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_template_has_no_inline_script(path):
    source = path.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(source), INLINE_HANDLER.search(source).group(0)
    assert not INLINE_SCRIPT.search(source)
