"""A local stand-in for an outside HTTP endpoint (a helpdesk's API, an events receiver): a small
werkzeug server on 127.0.0.1 that records every request it gets and answers what the test
scripted, so a test asserts the exact request (method, path, authentication, body)."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devtools.processes import wait_until


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)

    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme != "Basic":
            return None
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


class StandIn:
    """`answer(503, 503)`: the next requests get those statuses, then `status` again; `route(path,
    status, body)`: what one path always answers (a token endpoint)."""

    def __init__(self, status: int = 200, body: dict | None = None):
        self.status, self.body = status, body or {}
        self.received: list[Received] = []
        self.scripted: list[int] = []
        self.routes: dict[str, tuple[int, dict]] = {}
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> StandIn:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def answer(self, *statuses: int) -> None:
        with self.lock:
            self.scripted.extend(statuses)

    def route(self, path: str, status: int, body: dict) -> None:
        self.routes[path] = (status, body)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.scripted.clear()

    def requests(self, path_prefix: str = "") -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path.startswith(path_prefix) and r.path not in self.routes]

    def wait_for(self, count: int, path_prefix: str = "", timeout: float = 30.0) -> list[Received]:
        return wait_until(lambda: len(found := self.requests(path_prefix)) >= count and found, timeout,
                          message=f"{count} request(s) to {self.url}{path_prefix}")

    def _app(self, environ, start_response):
        request = Request(environ)
        path = (environ.get("RAW_URI") or request.path).partition("?")[0]  # as sent: %2F stays
        received = Received(request.method, path, dict(request.headers), request.get_data())
        with self.lock:
            self.received.append(received)
            if path in self.routes:
                status, body = self.routes[path]
            else:
                status, body = (self.scripted.pop(0) if self.scripted else self.status), self.body
        return Response(json.dumps(body), status=status, content_type="application/json")(environ, start_response)
