"""`python -m agent.serve --bind 0.0.0.0:8001`: the agent tool over Streamable HTTP at /mcp, with
API_TOKEN as its bearer token (without API_TOKEN it answers 404, as the API does). The Procfile's
`mcp` line binds 0.0.0.0:$PORT (8001 where PORT is unset), the port its platform gives it."""

from __future__ import annotations

import argparse
import json

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.tools import create_server
from core.logs import configure_logging
from core.settings import Settings
from replacements.configuration import load_settings_or_exit
from web import create_app
from web.signatures import equals_any


def create_asgi_app(settings: Settings, host: str = "0.0.0.0") -> ASGIApp:
    """`host`: the address it binds; on a loopback one the SDK also checks Host and Origin
    (DNS rebinding), elsewhere the bearer token is what keeps a browser out."""
    server = create_server(create_app(settings))
    # Stateless with JSON answers: every POST stands alone, so several processes behind a proxy
    # need no sticky sessions, and a restart loses no session.
    app = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                     host=host)
    return BearerToken(app, settings.api_token)


class BearerToken:
    """Lets through only requests with `Authorization: Bearer <API_TOKEN>` (401 else, compared in
    constant time); with no token set, nothing (404), as the API."""

    def __init__(self, app: ASGIApp, token: str | None):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if not self.token:
            return await _refuse(send, 404, "the API is not enabled: API_TOKEN is not set")
        headers = dict(scope["headers"])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not equals_any([self.token], token):
            return await _refuse(send, 401, "missing or bad bearer token")
        return await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message, "status": "error"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", default="0.0.0.0:8001", help="host:port (default 0.0.0.0:8001)")
    host, _, port = parser.parse_args().bind.rpartition(":")
    settings = load_settings_or_exit(check_redis=True)
    configure_logging(settings.log_level)
    uvicorn.run(create_asgi_app(settings, host), host=host, port=int(port), log_config=None, proxy_headers=True)


if __name__ == "__main__":
    main()
