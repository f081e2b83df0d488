import io
import json
import logging

import fakeredis
import pytest

from core.logs import json_handler
from core.settings import Settings
from replacements.configuration import load_settings
from tests.payloads import SECRET, SHOP
from tests.queued import QueuedTasks
from web import create_app


def make_settings(**overrides) -> Settings:
    env = {
        "SHOPIFY_SHOP": SHOP,
        "SHOPIFY_ACCESS_TOKEN": "shpat_test",
        "SHOPIFY_WEBHOOK_SECRET": f"old_secret,{SECRET}",
        "SHOPIFY_ADMIN_URL": "http://127.0.0.1:9",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "API_TOKEN": "api-token-test",
    }
    env.update({k: v for k, v in overrides.items() if v is not None})
    return load_settings({k: v for k, v in env.items() if v != ""})


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def redis_client():
    return fakeredis.FakeRedis()


@pytest.fixture
def app(settings, redis_client):
    """The web app on a fake Redis."""
    return create_app(settings, redis_client=redis_client)


@pytest.fixture
def queued(app) -> QueuedTasks:
    """The tasks `app` queued for the workers, read back from its Redis."""
    return QueuedTasks(app.extensions["intake"].client)


@pytest.fixture
def json_log():
    """Log lines of this process at INFO, as the service's JSON handler writes them: `json_log()`
    gives them parsed; `json_log.text()` gives the raw text."""
    buffer = io.StringIO()
    handler, root = json_handler(buffer), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel("INFO")

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    lines.text = buffer.getvalue
    yield lines
    root.removeHandler(handler)
    root.setLevel(level)
