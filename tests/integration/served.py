"""The web app on a real port, so the sandbox delivers its webhooks to it as Shopify would (a
service with settings of its own is `own_service` in tests/integration/conftest.py)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import requests
from werkzeug.serving import make_server

from tests.conftest import make_settings
from tests.payloads import SECRET
from web import create_app

API_AUTH = {"Authorization": "Bearer api-token-test"}


@contextmanager
def serving(env: dict):
    """The web app for `env` on 127.0.0.1; yields its /webhooks/shopify URL."""
    server = make_server("127.0.0.1", 0, create_app(make_settings(**env)), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks/shopify"
    finally:
        server.shutdown()


def deliver_webhooks_to(shop_url: str, url: str, *topics: str) -> None:
    """Points the sandbox's webhooks at `url` (until the next reset)."""
    config = {"webhook_url": url, "webhook_secret": SECRET}
    if topics:
        config["webhook_topics"] = list(topics)
    requests.post(f"{shop_url}/_sandbox/config", json=config, timeout=5).raise_for_status()


def wait_for_webhooks(shop_url: str) -> list[dict]:
    answer = requests.post(f"{shop_url}/_sandbox/webhooks/wait", json={"timeout": 20}, timeout=30).json()
    assert answer["idle"], answer
    return answer["deliveries"]
