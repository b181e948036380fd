"""A webhook receiver on loopback for the webhook tests: records headers and raw bodies, answers
the statuses it is given in turn (then 200), and checks signatures as a receiver would."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import override_settings


@dataclass
class Call:
    headers: dict
    raw: bytes

    @property
    def body(self) -> dict:
        return json.loads(self.raw)

    @property
    def event(self) -> str:
        return self.headers["X-SafeHospital-Event"]


@dataclass
class Receiver:
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/safe-hospital"

    def events(self) -> list[str]:
        return [call.event for call in self.calls]


def verify(secret: str, headers: dict, raw: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does (the README's verifier)."""
    timestamp = headers["X-SafeHospital-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256)
    return hmac.compare_digest(
        "sha256=" + expected.hexdigest(), headers["X-SafeHospital-Signature"]
    )


@contextlib.contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1:<free port>; only that address is allow-listed meanwhile."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.calls.append(Call(headers=dict(self.headers.items()), raw=raw))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        with override_settings(
            WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], NOTIFICATIONS_WEBHOOK_TIMEOUT=(2.0, 2.0)
        ):
            yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
