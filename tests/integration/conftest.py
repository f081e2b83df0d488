"""Integration fixtures: a private redis-server, the sandbox store over HTTP, real Celery
worker processes, and the web app wired to both; and `own_service`, the service with settings
of its own on a redis-server of its own, with worker processes of its own."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
import requests
from celery import Celery

from core import keys
from core.store import State
from devtools.processes import TOKEN, RedisServer, Workers, service_env, stop_all, wait_until
from sandbox.server import start_in_thread
from tests.conftest import make_settings
from tests.payloads import shopify_headers
from web import create_app
from worker.app import celery_config

ORDER_ID = 450789469


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandbox():
    store = start_in_thread(token=TOKEN, draft_ready_delay=0.05)
    yield store
    store.stop()


@pytest.fixture(name="service_env", scope="session")
def service_env_fixture(redis_server, sandbox) -> dict:
    return service_env(redis_server.url, sandbox.url)


@pytest.fixture(scope="session")
def workers(service_env):
    process = Workers(service_env, concurrency=2).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def publisher(service_env) -> Celery:
    app = Celery("tests")
    app.conf.update(celery_config(make_settings(**service_env), publisher=True))
    return app


class Service:
    """The service with settings of its own: `processes` worker processes (`concurrency` pool
    processes each) on a redis-server of its own, broker and state. No other test's workers take
    its tasks, and nothing another test leaves in a Redis reaches it: a message whose ack was lost
    (Redis restarted under its task) waits in `unacked` for the visibility timeout, then comes
    back to whichever worker consumes that Redis. `redis` can be stopped and started again (AOF)."""

    def __init__(self, env: dict, name: str, processes: int = 1, concurrency: int = 1, **settings: str):
        self.redis = RedisServer()
        self.env = {**env, "REDIS_URL": self.redis.url, **settings}
        self.client = self.redis.client()
        self.state = State(self.client)
        names = [name] if processes == 1 else [f"{name}{n}" for n in range(1, processes + 1)]
        self.workers = [Workers(self.env, concurrency=concurrency, name=each) for each in names]

    @property
    def worker(self) -> Workers:
        [worker] = self.workers
        return worker

    def start(self) -> Service:
        self.redis.start()
        for worker in self.workers:
            worker.start()
        return self

    def stop(self) -> None:
        stop_all(*self.workers, self.redis)

    def clean(self) -> None:
        """No request state and an empty queue (the shop's stores are the test's to reset)."""
        for key in self.client.scan_iter("rw:*"):
            self.client.delete(key)
        self.client.delete(*keys.QUEUE_LISTS)

    def web(self):
        return create_app(make_settings(**self.env)).test_client()


@pytest.fixture(scope="session")
def own_service(service_env):
    """`with own_service(name, **settings) as service:` starts a `Service` (for the sandbox store
    and the shop of `service_env` unless `env=` gives another environment) and stops it after."""
    @contextmanager
    def run(name: str, env: dict | None = None, processes: int = 1, concurrency: int = 1, **settings: str):
        service = Service(service_env if env is None else env, name, processes, concurrency, **settings)
        try:
            yield service.start()
        finally:
            service.stop()
    return run


@pytest.fixture(autouse=True)
def clean_world(request, redis_server, sandbox, publisher):
    """Every test starts from the seeded store, with no request state, an empty queue, and no
    retry of an earlier test waiting in a worker (those are unacked messages: revoked)."""
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    client = redis_server.client()
    waiting = [json.loads(raw)[0]["headers"]["id"] for raw in client.hvals("unacked")]
    if waiting:
        publisher.control.revoke(waiting)
    for key in client.scan_iter("rw:*"):
        client.delete(key)
    client.delete(*keys.QUEUE_LISTS)
    yield


@pytest.fixture
def state(redis_server) -> State:
    return State(redis_server.client())


@pytest.fixture
def web(service_env):
    return create_app(make_settings(**service_env)).test_client()


class Shop:
    """The sandbox as a test reads and drives it: what a merchant does in admin, and what is there."""

    def __init__(self, url: str):
        self.url = url

    def tag(self, order_id: int = ORDER_ID, add=(), remove=()):
        requests.post(f"{self.url}/_sandbox/orders/{order_id}/tags",
                      json={"add": list(add), "remove": list(remove)}, timeout=5).raise_for_status()

    def rest_order(self, order_id: int = ORDER_ID) -> dict:
        return requests.get(f"{self.url}/_sandbox/orders/{order_id}/rest", timeout=5).json()

    def state(self) -> dict:
        return requests.get(f"{self.url}/_sandbox/state", timeout=5).json()

    def order(self, name: str) -> dict:
        return next(o for o in self.state()["orders"] if o["name"] == name)

    def replacements(self) -> list[dict]:
        return [o for o in self.state()["orders"] if "replacement" in o["tags"]]

    def drafts(self) -> list[dict]:
        return self.state()["draft_orders"]

    def faults(self, *rules: dict):
        requests.post(f"{self.url}/_sandbox/faults", json=list(rules), timeout=5).raise_for_status()

    def calls(self) -> list[dict]:
        return requests.get(f"{self.url}/_sandbox/calls", timeout=5).json()["calls"]


@pytest.fixture
def shop(sandbox) -> Shop:
    return Shop(sandbox.url)


def send_order_webhook(web, order: dict, webhook_id: str, event_id: str | None = None, topic="orders/updated"):
    body = json.dumps(order).encode()
    return web.post("/webhooks/shopify", data=body,
                    headers=shopify_headers(body, topic=topic, webhook_id=webhook_id, event_id=event_id))


def wait_for_request(state: State, request_id: str, timeout: float = 30.0) -> dict:
    # .get: State.create_request writes the request before its status, so a read may fall between.
    return wait_until(lambda: (r := state.get(request_id)) and r.get("status") in ("done", "failed") and r,
                      timeout, message=f"request {request_id} to finish")
