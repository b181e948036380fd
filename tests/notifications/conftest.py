"""Fixtures for notification tests: a local webhook server standing in for WeCom/DingTalk."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.notifications.webhook_receiver import running_receiver


@dataclass
class Received:
    path: str
    query: dict
    body: dict


@dataclass
class WebhookServer:
    """Records every POST; `responses` is a queue of (status, json body, delay seconds)."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    responses: list[tuple[int, dict, float]] = field(default_factory=list)

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def respond(self, status: int = 200, body: dict | None = None, delay: float = 0.0) -> None:
        self.responses.append((status, body if body is not None else {"errcode": 0}, delay))


def _make_handler(server_state: WebhookServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            try:
                body = json.loads(raw.decode())
            except ValueError:
                body = {"_raw": raw.decode(errors="replace")}
            server_state.received.append(
                Received(path=parts.path, query=parse_qs(parts.query), body=body)
            )
            status, payload, delay = (
                server_state.responses.pop(0)
                if server_state.responses
                else (200, {"errcode": 0, "errmsg": "ok"}, 0.0)
            )
            if delay:
                time.sleep(delay)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def webhook_server(settings):
    """A real HTTP server on 127.0.0.1; loopback and http are allowed for this test only."""
    settings.NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS = True
    settings.DEBUG = True  # http:// webhooks are only accepted when DEBUG
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = (1.0, 1.0)
    state = WebhookServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def public_dns(monkeypatch):
    """Resolve every host name to a public address (no network in tests)."""
    from notifications import urlsafety

    addresses: dict[str, list[str]] = {}

    def fake_resolve(host, port):
        return addresses.get(host, ["93.184.216.34"])

    monkeypatch.setattr(urlsafety, "resolve_host", fake_resolve)
    return addresses


@pytest.fixture
def receiver():
    """A receiver for integration webhooks on loopback (tests/notifications/webhook_receiver.py),
    allow-listed through WEBHOOK_ALLOWED_HOSTS for this test only."""
    with running_receiver() as state:
        yield state
