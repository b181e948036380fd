"""Issue 16's grep rules, kept true by the suite: the region subtree rule, refusals and role
checks each have one home. A new module that writes them by hand fails here and names itself."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _python_sources() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / name
        for name in names
        if not name.startswith(("tests/", "bench/", "scripts/")) and "/migrations/" not in name
    ]


def _offenders(pattern: str, allowed: set[str], only: tuple[str, ...] = ()) -> list[str]:
    regex = re.compile(pattern)
    found = []
    for path in _python_sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in allowed or (only and not relative.endswith(only)):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_the_subtree_rule_is_written_once():
    # hospitals.models.within / Region.contains and core.regions.subtree_q are the helpers.
    helpers = {"core/regions.py", "hospitals/models.py"}
    # (request.path is a URL, not a region's materialised path.)
    assert _offenders(r"path__startswith|(?<!request)\.path\.startswith\(", helpers) == [], (
        "use hospitals.models.within(region, prefix) / Region.contains / core.regions.subtree_q"
    )


def test_services_and_selectors_refuse_with_domain_errors():
    assert _offenders(r"raise PermissionDenied", set(), ("services.py", "selectors.py")) == []


def test_roles_are_asked_through_the_predicates():
    # The predicates themselves live on the user model.
    assert _offenders(r"\.role\s*(==|!=)\s*", {"accounts/models.py"}) == []
