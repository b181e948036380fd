#!/usr/bin/env bash
# Type check with mypy + django-stubs: core/ and every app's services, selectors, staffing and
# periods modules (the `files` globs in pyproject.toml [tool.mypy], so a new app's modules are
# checked without a change here). Extra arguments go to mypy, e.g. a single file.
# The django-stubs plugin imports config.settings: DEBUG=1 lets it load without SECRET_KEY or any
# other variable (DATABASE_URL unset: the SQLite default; nothing connects to a database).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
exec .venv/bin/mypy "$@"
