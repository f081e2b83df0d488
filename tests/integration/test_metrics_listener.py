"""The Procfile's web process with METRICS_BIND serves `/metrics` on that address only, from
each of its gunicorn workers; with METRICS_TOKEN, the public port asks for the token."""

from __future__ import annotations

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from devtools.processes import ProcfileWeb, RedisServer, free_port, service_env, wait_until
from tests.integration.test_slow_clients import delivery


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of these tests' own: no worker consumes what they queue."""
    server = RedisServer().start()
    yield server
    server.stop()


def service_env_of(redis) -> dict:
    redis.client().flushdb()
    return service_env(redis.url, "http://127.0.0.1:9")


def queued_count(text: str) -> float:
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return sum(s.value for s in families["replacement_webhooks_received"].samples
               if s.name.endswith("_total") and s.labels["outcome"] == "queued")


def test_metrics_are_served_on_their_own_address_only(own_redis):
    service_env = service_env_of(own_redis)
    bind = f"127.0.0.1:{free_port()}"
    web = ProcfileWeb({**service_env, "METRICS_BIND": bind}).start()
    try:
        assert requests.get(f"{web.url}/metrics", timeout=5).status_code == 404
        # The kernel spreads the scrapes over both workers' listeners: every one answers.
        scrapes = [requests.get(f"http://{bind}/metrics", timeout=5) for _ in range(20)]
        assert {answer.status_code for answer in scrapes} == {200}
        assert "replacement_queue_depth" in scrapes[0].text
        assert requests.get(f"http://{bind}/healthz", timeout=5).status_code == 404
        body, headers = delivery(1, "metrics-listener")
        assert requests.post(f"{web.url}/webhooks/shopify", data=body, headers=headers, timeout=5).ok
        # Counted by the worker that took it, written to Redis within a second, seen by any listener.
        wait_until(lambda: queued_count(requests.get(f"http://{bind}/metrics", timeout=5).text) == 1, 5,
                   message="the delivery counted")
    finally:
        web.stop()
    assert "metrics served on their own address" in web.output()


def test_the_public_port_asks_for_the_token(own_redis):
    service_env = service_env_of(own_redis)
    web = ProcfileWeb({**service_env, "METRICS_TOKEN": "metrics-secret"}).start()
    try:
        assert requests.get(f"{web.url}/metrics", timeout=5).status_code == 401
        answer = requests.get(f"{web.url}/metrics", headers={"Authorization": "Bearer metrics-secret"}, timeout=5)
        assert answer.status_code == 200 and "replacement_queue_depth" in answer.text
    finally:
        web.stop()
