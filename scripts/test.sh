#!/usr/bin/env bash
# The test command. SQLite unless DATABASE_URL is set; tests needing PostgreSQL or Redis skip
# without them and say why (REQUIRE_SERVICES=1 turns those skips into failures).
# Runs in parallel with pytest-xdist: TEST_WORKERS processes (default: one per core), each with
# its own test database and, for the tests that start real Celery workers, its own Redis
# databases (tests/reports/worker.py: worker_redis_url). TEST_WORKERS=0 runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" "$@"
