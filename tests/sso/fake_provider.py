"""A tiny identity provider on 127.0.0.1 (a thread in the test process): no network.

Routes answer from a table the test fills in — recorded JSON/XML bodies, or functions for the
OIDC endpoints that need to compute something (a signed id_token). Every request is kept in
`calls` so a test can check exactly what the product sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> Any:
    """A recorded provider answer from tests/sso/recorded/ (JSON, or text for other files)."""
    path = RECORDED / name
    return json.loads(path.read_text()) if path.suffix == ".json" else path.read_text()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class FakeProvider:
    server: ThreadingHTTPServer
    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, answer) -> None:
        """`answer`: (status, body) or (status, body, headers), a body alone (200), or a
        function Call → one of those."""
        self.routes[(method, path)] = answer

    def paths(self) -> list[str]:
        return [call.path for call in self.calls]


def start() -> FakeProvider:
    provider: FakeProvider

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            call = Call(
                method,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            provider.calls.append(call)
            answer = provider.routes.get((method, parts.path))
            if answer is None:
                answer = (404, {"error": "no such route"})
            if callable(answer):
                answer = answer(call)
            if not isinstance(answer, tuple):
                answer = (200, answer)
            status, body, headers = (*answer, {})[:3]
            if isinstance(body, (dict, list)):
                payload = json.dumps(body, ensure_ascii=False).encode()
                headers = {"Content-Type": "application/json; charset=utf-8", **headers}
            else:
                payload = str(body).encode()
                headers = {"Content-Type": "text/plain; charset=utf-8", **headers}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider = FakeProvider(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider
