#!/usr/bin/env bash
# make bench: a clean benchmark database, the dataset, every measurement → bench/RESULTS.md.
#   BENCH_DB=sh_bench  BENCH_SCALE=1 (0.1 = a tenth)  BENCH_RUNS=50  BENCH_KEEP=1 (reuse the data)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${BENCH_DB:-sh_bench}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
# Production-like settings (DEBUG off: no query log), plain HTTP on loopback.
export DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export ALLOWED_HOSTS=testserver,127.0.0.1,localhost
export SECRET_KEY=${SECRET_KEY:-bench-only-not-secret-0123456789-0123456789-0123456789}
# The bench app (bench_generate, bench_run) is installed only when asked for; DEBUG off needs the
# SM4 key of the encrypted fields (a fixed, bench-only one).
export BENCH_ENABLED=1 FIELD_ENCRYPTION_KEY=${FIELD_ENCRYPTION_KEY:-00112233445566778899aabbccddeeff}
if [ "${BENCH_KEEP:-0}" != 1 ]; then
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
  createdb -h 127.0.0.1 -U postgres "$DB"
  .venv/bin/python manage.py migrate -v0
  .venv/bin/python manage.py bench_generate --scale "${BENCH_SCALE:-1}"
fi
.venv/bin/python manage.py migrate -v0  # a kept dataset gets the newest indexes
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py bench_run --runs "${BENCH_RUNS:-50}" --out bench/RESULTS.md "$@"
