"""The web app with every helpdesk's secret configured, its queue mocked and its clock pinned."""


import fakeredis
import pytest

from tests.conftest import make_settings
from tests.web.helpdesks.senders import NOW, secret_env
from web import create_app
from web.helpdesks import base


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(base, "now", lambda: NOW)


@pytest.fixture
def app():
    return create_app(make_settings(**secret_env()), redis_client=fakeredis.FakeRedis())

