"""Translation workflow helper for the English catalogue (source strings are Simplified Chinese).

    python scripts/i18n.py export todo.json   # untranslated / fuzzy entries -> JSON {msgid: ""}
    python scripts/i18n.py import done.json   # JSON {msgid: translation} -> locale/en .po
    python scripts/i18n.py stats
    python scripts/i18n.py check              # CI: fail when a string is untranslated
Plural entries are exported as "msgid||msgid_plural" and imported as "singular||plural".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

PO_PATH = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
SEP = "||"


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgid}{SEP}{entry.msgid_plural}" if entry.msgid_plural else entry.msgid


def _needs_work(entry: polib.POEntry) -> bool:
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not all(entry.msgstr_plural.values())
    return not entry.msgstr


def export(path: str) -> None:
    po = polib.pofile(str(PO_PATH))
    todo = {_key(entry): "" for entry in po if _needs_work(entry)}
    Path(path).write_text(json.dumps(todo, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(todo)} entries to translate -> {path}")


def import_(path: str) -> None:
    po = polib.pofile(str(PO_PATH))
    done = json.loads(Path(path).read_text(encoding="utf-8"))
    by_key = {_key(entry): entry for entry in po if not entry.obsolete}
    applied = 0
    for key, text in done.items():
        entry = by_key.get(key)
        if entry is None or not text:
            continue
        if entry.msgid_plural:
            singular, _, plural = text.partition(SEP)
            entry.msgstr_plural = {0: singular, 1: plural or singular}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        applied += 1
    po.save(str(PO_PATH))
    print(f"applied {applied} translations")


def stats() -> None:
    po = polib.pofile(str(PO_PATH))
    live = [entry for entry in po if not entry.obsolete]
    missing = [entry for entry in live if _needs_work(entry)]
    print(f"{len(live)} entries, {len(missing)} untranslated or fuzzy")


def check() -> None:
    """Exit non-zero when any live entry lacks an English translation (used by CI)."""
    po = polib.pofile(str(PO_PATH))
    missing = [_key(entry) for entry in po if _needs_work(entry)]
    for key in missing:
        print(f"untranslated: {key}")
    if missing:
        sys.exit(
            f"{len(missing)} strings have no English translation: run `make messages`, "
            "translate them in locale/en/LC_MESSAGES/django.po, then compile."
        )
    print("English catalogue complete")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "stats"
    commands = {
        "export": lambda: export(sys.argv[2]),
        "import": lambda: import_(sys.argv[2]),
        "stats": stats,
        "check": check,
    }
    commands[command]()
