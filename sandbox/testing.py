"""Helpers for tests that drive a sandbox over HTTP: a client, and a receiver for its webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox.server import QuietRequestHandler, Sandbox, start_in_thread

TEST_TOKEN = "shpat_sandbox_test"


class SandboxClient:
    """The Admin API as the service calls it, and `/_sandbox/*` as a merchant or a test drives it."""

    def __init__(self, sandbox: Sandbox, token: str = TEST_TOKEN) -> None:
        self.sandbox = sandbox
        self.url = sandbox.url
        self.token = token

    def post_graphql(self, query: str, variables: dict | None = None, token: str | None = None,
                     **extra) -> requests.Response:
        headers = {"X-Shopify-Access-Token": self.token if token is None else token}
        body = {"query": query, "variables": variables or {}, **extra}
        return requests.post(self.sandbox.graphql_url, json=body, headers=headers, timeout=10)

    def gql(self, query: str, **variables) -> dict:
        """The JSON answer of a call that must come back with HTTP 200."""
        response = self.post_graphql(query, variables)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, **variables) -> dict:
        """The `data` of a call that must succeed without errors."""
        body = self.gql(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def _control(self, method: str, path: str, body=None) -> dict | list:
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=15)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._control("POST", "reset")

    def state(self) -> dict:
        return self._control("GET", "state")

    def calls(self, since: int = 0) -> list[dict]:
        return self._control("GET", f"calls?since={since}")["calls"]

    def faults(self, *rules: dict) -> dict:
        return self._control("POST", "faults", list(rules))

    def configure(self, **config) -> dict:
        return self._control("POST", "config", config)

    def mint(self, client_id: str, client_secret: str) -> requests.Response:
        """The client credentials grant as the service calls it; a 200 also makes this client use the token."""
        response = requests.post(f"{self.url}/admin/oauth/access_token", timeout=10,
                                 headers={"Accept": "application/json"},
                                 data={"grant_type": "client_credentials", "client_id": client_id,
                                       "client_secret": client_secret})
        if response.status_code == 200:
            self.token = response.json()["access_token"]
        return response

    def tokens(self) -> dict:
        return self._control("GET", "tokens")

    def revoke_tokens(self, **body) -> dict:
        return self._control("POST", "tokens/revoke", body)

    def lock(self, seconds: float | None, status: int = 423) -> dict:
        return self._control("POST", "lock", {"seconds": seconds, "status": status})

    def tag(self, order_id: int, add=(), remove=()) -> list[str]:
        return self._control("POST", f"orders/{order_id}/tags", {"add": list(add), "remove": list(remove)})["tags"]

    def rest_order(self, order_id: int) -> dict:
        return self._control("GET", f"orders/{order_id}/rest")

    def create_orders(self, **body) -> list[dict]:
        return self._control("POST", "orders", body)["orders"]

    def wait_for_webhooks(self, timeout: float = 10) -> list[dict]:
        return self._control("POST", "webhooks/wait", {"timeout": timeout})["deliveries"]


@contextmanager
def running_sandbox(token: str | None = TEST_TOKEN, **config) -> Iterator[SandboxClient]:
    """A sandbox and its client; `token=None, client_id=..., client_secret=...` for a Dev Dashboard app
    (then `client.mint(...)` before Admin API calls)."""
    sandbox = start_in_thread(token=token, **config)
    try:
        yield SandboxClient(sandbox, token or "")
    finally:
        sandbox.stop()


def sandbox_fixtures(**config):
    """pytest fixtures for a test module: `sandbox_server`, one sandbox for the module, and `shop`,
    its client, reset to the seed before each test. Use: `sandbox_server, shop = sandbox_fixtures()`."""
    import pytest

    @pytest.fixture(scope="module")
    def sandbox_server():
        with running_sandbox(**config) as client:
            yield client

    @pytest.fixture
    def shop(sandbox_server: SandboxClient) -> SandboxClient:
        sandbox_server.reset()
        return sandbox_server

    return sandbox_server, shop


class WebhookReceiver:
    """A local HTTP endpoint that records what is POSTed to it (raw body and headers)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[dict] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=QuietRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.port}/webhooks/shopify"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _app(self, environ, start_response):
        request = Request(environ)
        raw = request.get_data()
        self.received.append({"headers": dict(request.headers), "raw": raw, "body": json.loads(raw)})
        return Response(status=self.status)(environ, start_response)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
