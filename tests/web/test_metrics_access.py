"""`GET /metrics` names the shop and shows counts and the queue depth: behind METRICS_TOKEN, or
only on METRICS_BIND (its own listener), never to anyone on the public port once either is set."""

import fakeredis
import pytest
import requests

from core.settings import ConfigError
from devtools.processes import free_port
from tests.conftest import make_settings
from web import create_app
from web.metrics import MetricsServer, serve_metrics


def app_with(**env):
    return create_app(make_settings(**env), redis_client=fakeredis.FakeRedis())


def test_without_either_setting_metrics_stay_public_as_in_development():
    assert app_with().test_client().get("/metrics").status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic metrics-secret", "metrics-secret",
                                           "Bearer "])
def test_a_token_is_asked_for(authorization):
    client = app_with(METRICS_TOKEN="metrics-secret").test_client()
    headers = {"Authorization": authorization} if authorization is not None else {}
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "example.myshopify.com" not in answer.get_data(as_text=True)


def test_the_right_token_gets_the_metrics():
    client = app_with(METRICS_TOKEN="metrics-secret").test_client()
    answer = client.get("/metrics", headers={"Authorization": "Bearer metrics-secret"})
    assert answer.status_code == 200
    assert "replacement_queue_depth" in answer.get_data(as_text=True)


def test_with_an_address_of_their_own_the_public_port_has_no_metrics():
    app = app_with(METRICS_BIND="127.0.0.1:9102")
    assert app.test_client().get("/metrics").status_code == 404
    # The environ key the listener sets cannot come from a client: headers become HTTP_*.
    assert app.test_client().get("/metrics", headers={"replacement.metrics_listener": "1"}).status_code == 404


@pytest.fixture
def listener():
    servers = []

    def start(**env) -> str:
        server = serve_metrics(app_with(METRICS_BIND=f"127.0.0.1:{free_port()}", **env))
        servers.append(server)
        host, port = server.address
        return f"http://{host}:{port}"

    yield start
    for server in servers:
        server.stop()


def test_the_listener_serves_the_metrics_and_nothing_else(listener):
    url = listener()
    answer = requests.get(f"{url}/metrics", timeout=5)
    assert answer.status_code == 200
    assert "replacement_queue_depth 0.0" in answer.text
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 404
    assert requests.post(f"{url}/webhooks/shopify", data=b"{}", timeout=5).status_code == 404


def test_the_listener_asks_for_the_token_too_when_there_is_one(listener):
    url = listener(METRICS_TOKEN="metrics-secret")
    assert requests.get(f"{url}/metrics", timeout=5).status_code == 401
    assert requests.get(f"{url}/metrics", headers={"Authorization": "Bearer metrics-secret"}, timeout=5).ok


def test_two_workers_listen_on_the_same_address():
    """Each gunicorn worker starts a listener on METRICS_BIND (SO_REUSEPORT)."""
    bind = f"127.0.0.1:{free_port()}"
    first, second = (MetricsServer(app_with(METRICS_BIND=bind), bind) for _ in range(2))
    port = first.address[1]
    first.start(), second.start()
    try:
        assert all(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).ok for _ in range(10))
    finally:
        first.stop(), second.stop()


def test_no_listener_without_the_setting():
    assert serve_metrics(app_with()) is None


@pytest.mark.parametrize("value", ["9102", "localhost", ":9102", "127.0.0.1:99999", "127.0.0.1:0", "http://127.0.0.1:9102"])
def test_a_malformed_address_stops_start_up_naming_it(value):
    with pytest.raises(ConfigError, match="METRICS_BIND"):
        make_settings(METRICS_BIND=value)


def test_the_token_is_not_shown_with_the_settings():
    assert "metrics-secret" not in repr(make_settings(METRICS_TOKEN="metrics-secret"))
