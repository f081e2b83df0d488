"""The WSGI app and a threaded server for tests and embedding."""

from __future__ import annotations

import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox import admin_api, control, oauth
from sandbox.schema import admin_schema
from sandbox.store import Store


def create_app(store: Store | None = None) -> Flask:
    app = Flask("sandbox")
    app.json.sort_keys = False
    app.extensions["sandbox.store"] = store or Store()
    app.register_blueprint(admin_api.blueprint)
    app.register_blueprint(oauth.blueprint)
    app.register_blueprint(control.blueprint)
    return app


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class Sandbox:
    """A running sandbox: `url` is its base URL (set `SHOPIFY_ADMIN_URL` to it), `store` its data."""

    def __init__(self, server: BaseWSGIServer, store: Store) -> None:
        self.server = server
        self.store = store
        self.url = f"http://{server.host}:{server.port}"
        self.graphql_url = f"{self.url}/admin/api/2026-04/graphql.json"
        self._thread = threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def start_in_thread(host: str = "127.0.0.1", port: int = 0, quiet: bool = True, **config) -> Sandbox:
    """Serve a fresh sandbox from a background thread; `config` takes the keys of `sandbox.config.Config`."""
    store = Store(**config)
    admin_schema()  # built before serving, so the first call is not the one that waits for it
    handler = QuietRequestHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, create_app(store), threaded=True, request_handler=handler)
    return Sandbox(server, store)
