"""The English catalogue is complete and compiled: an English user never meets a stray Chinese
label from our own strings."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def test_every_source_string_has_an_english_translation():
    catalogue = polib.pofile(str(PO))
    missing = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete
        and ("fuzzy" in entry.flags or not (entry.msgstr or all(entry.msgstr_plural.values())))
    ]
    assert not missing, f"{len(missing)} untranslated: {missing[:10]}"


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(PO))
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural:
            continue
        if entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_english_is_active_when_chosen():
    with translation.override("en"):
        assert translation.gettext("隐患整改") != "隐患整改"
    with translation.override("zh-hans"):
        assert translation.gettext("隐患整改") == "隐患整改"
