#!/usr/bin/env bash
# One command for a newcomer: install, migrate, load demo data, start web + Celery worker + beat on
# the embedded default (SQLite, filesystem broker). Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

export DEBUG=${DEBUG:-1}
unset DATABASE_URL REDIS_URL 2>/dev/null || true
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PY=.venv/bin/python
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}

$PY manage.py migrate --noinput
$PY manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true
$PY manage.py seed_demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "==> Stopping…"
  # Ask each main process to stop (Celery then stops its own pool and beat), wait a little,
  # then kill whatever is left of each process group.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 15); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "==> Stopped."
}
trap cleanup INT TERM EXIT

set -m  # each background job gets its own process group, so we can stop its children too
.venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule > var/celery.log 2>&1 &
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)
set +m

for _ in $(seq 1 60); do
  $PY -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "http://$HOST:$PORT/healthz" 2>/dev/null && break
  sleep 1
done
echo
echo "==> 平安医院 is running at http://$HOST:$PORT/  (Celery worker + beat log: var/celery.log)"
echo "    Demo logins are listed above. Press Ctrl-C to stop."
wait
