#!/usr/bin/env bash
# The test command. SQLite unless DATABASE_URL is set; tests needing PostgreSQL or Redis skip
# without them and say why (REQUIRE_SERVICES=1 turns those skips into failures).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
