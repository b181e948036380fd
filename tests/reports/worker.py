"""Real Celery workers for tests: subprocesses on Redis that share the test database and the
test's media directory. Used by the real-worker report tests and the browser journey."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_redis_url(slot: int = 0) -> str:
    """The Redis URL real Celery workers of this test process use. In a serial run, REDIS_URL
    itself (slot 1, the browser report journey: its database 5, as before). Under pytest-xdist,
    process gwN uses database (base + N) mod 16, base being REDIS_URL's database, for every
    slot (the tests of one process run one after another): two processes never share a queue,
    purge each other's tasks or have one's worker take (and fail) the other's task, each
    process having its own test database."""
    url = os.environ["REDIS_URL"]
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not name.startswith("gw"):
        return url if slot == 0 else redis_url_with_db(url, 5)
    base = url.split("?", 1)[0].rstrip("/").rpartition("/")[2]
    base_db = int(base) if base.isdigit() else 0
    return redis_url_with_db(url, (base_db + int(name[2:])) % 16)


def redis_url_with_db(url: str, db: int) -> str:
    """`url` pointing at Redis database `db` (so concurrent real-worker tests never share a
    queue)."""
    base = url.split("?", 1)[0].rstrip("/")
    head, _sep, tail = base.rpartition("/")
    if head.count("/") >= 2 and tail.isdigit():  # redis://host:port/N
        base = head
    return f"{base}/{db}"


def _use_broker(app, url: str) -> None:
    """Point the in-process Celery app (which sends the tasks) at `url`."""
    app.conf.broker_url = url
    app.conf.broker_write_url = None
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_workers(tmp_path, *, redis_url: str | None = None):
    """Send tasks to the broker (not eagerly) and start/stop worker subprocesses. Yields
    (start, media): start() launches one more worker; media is the shared media directory."""
    from config.celery import app

    redis_url = redis_url or worker_redis_url()
    was_eager = app.conf.task_always_eager
    was_broker = app.conf.broker_url
    if redis_url != was_broker:
        _use_broker(app, redis_url)
    app.conf.task_always_eager = False
    app.control.purge()
    media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    media.mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "worker-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(media),
        "VAR_DIR": str(tmp_path / "var"),
        "CONN_MAX_AGE": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    workers: list[subprocess.Popen] = []
    log = open(tmp_path / "worker.log", "ab")  # closed below

    def start() -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    try:
        yield start, media
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        log.close()
        sys.stdout.write((tmp_path / "worker.log").read_text(errors="replace")[-5000:])
        app.control.purge()
        app.conf.task_always_eager = was_eager
        if app.conf.broker_url != was_broker:
            _use_broker(app, was_broker)
