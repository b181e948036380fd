"""mypy (scripts/typecheck.sh) checks every services/selectors/staffing/periods module: the
`files` globs of [tool.mypy] in pyproject.toml must reach each one, so a new app (or a module
moved one level down) is not silently left out of the type check."""

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED_NAMES = {"services.py", "selectors.py", "staffing.py", "periods.py"}
# Not application code: the virtualenv, tests, generated files.
SKIPPED = {"tests", "var", "staticfiles", "node_modules", "__pycache__", "migrations"}


def _mypy_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["mypy"]


def _globbed(patterns: list[str]) -> set[str]:
    found: set[str] = set()
    for pattern in patterns:
        path = ROOT / pattern
        if path.is_dir():
            found |= {str(p.relative_to(ROOT)) for p in path.rglob("*.py")}
        else:
            found |= {
                str(Path(p).relative_to(ROOT))
                for p in glob.glob(str(ROOT / pattern), recursive=True)
            }
    return found


def test_every_services_and_selectors_module_is_type_checked():
    sources = [
        path.relative_to(ROOT)
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part in SKIPPED for part in path.relative_to(ROOT).parts)
    ]
    wanted = {str(path) for path in sources if path.name in CHECKED_NAMES}
    wanted |= {str(path) for path in sources if path.parts[0] == "core"}
    assert "hazards/services.py" in wanted
    missing = wanted - _globbed(_mypy_config()["files"])
    assert not missing, f"add a [tool.mypy] files pattern in pyproject.toml for {sorted(missing)}"


def test_checked_modules_are_strict():
    config = _mypy_config()
    for flag in (
        "disallow_untyped_defs",
        "disallow_incomplete_defs",
        "check_untyped_defs",
        "warn_unused_ignores",
        "no_implicit_optional",
        "warn_redundant_casts",
        "strict_equality",
    ):
        assert config.get(flag) is True, flag
    assert "mypy_django_plugin.main" in config["plugins"]
