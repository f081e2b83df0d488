"""The Procfile's web process (gunicorn's gevent worker) keeps answering signed deliveries while
256 slow clients hold connections; its greenlets share Redis through a pool without mixing
replies; and a Redis that stops answering still gets a 503 within a second.

With the sync workers the Procfile ran before, two slow connections left no worker: the first
test times out (`python -m bench.slow_clients` measures both)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.slow_clients import SlowClients
from core.metrics import queue_depth
from devtools.processes import ProcfileWeb, RedisServer, service_env
from devtools.webhook_payloads import shopify_headers, tagged_order
from replacements.subscriptions import ORDER_FIELDS


def delivery(number: int, run: str) -> tuple[bytes, dict]:
    """A distinct signed `orders/updated` delivery (its own body and ids)."""
    order = tagged_order("needs-replacement")
    order = {field: order[field] for field in ORDER_FIELDS}
    # A body of its own in every test and run (a replayed body is a duplicate): the time from both.
    unique = int.from_bytes(hashlib.sha256(f"{run}-{number}-{time.time_ns()}".encode()).digest()[:4], "big")
    order["updated_at"] = f"2026-03-01T{unique // 3600 % 24:02d}:{unique // 60 % 60:02d}:{unique % 60:02d}" \
                          f".{number % 1_000_000:06d}-05:00"
    body = json.dumps(order).encode()
    return body, shopify_headers(body, webhook_id=f"{run}-{number}", event_id=f"{run}-{number}")


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of these tests' own: no worker consumes what they queue, and they count it."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def web(own_redis):
    own_redis.client().flushdb()
    server = ProcfileWeb(service_env(own_redis.url, "http://127.0.0.1:9")).start()
    yield server
    server.stop()


def test_deliveries_are_answered_fast_while_256_slow_clients_hold_connections(web, own_redis):
    slow = SlowClients(web.port, 256, seconds=120).start()
    try:
        session, took = requests.Session(), []
        for number in range(100):
            body, headers = delivery(number, "slow")
            started = time.perf_counter()
            answer = session.post(f"{web.url}/webhooks/shopify", data=body, headers=headers, timeout=5)
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200 and answer.json() == {"status": "queued"}
        assert slow.open == 256
    finally:
        slow.stop()
    p99 = statistics.quantiles(took, n=100)[98]
    assert p99 < 0.1, f"p99 {p99 * 1000:.0f} ms"
    assert queue_depth(own_redis.client()) == 100


def test_concurrent_deliveries_each_get_their_own_answer(web, own_redis):
    """Hundreds of greenlets at once: one connection shared between them would hand one
    delivery another's reply (or a protocol error); the pool gives each its own."""
    def send(number: int) -> str:
        body, headers = delivery(number, "concurrent")
        # Every fourth one is sent twice: its second answer must be `duplicate`, the others `queued`.
        answers = [requests.post(f"{web.url}/webhooks/shopify", data=body, headers=headers, timeout=5)
                   for _ in range(2 if number % 4 == 0 else 1)]
        return ",".join(f"{a.status_code}:{a.json().get('status')}" for a in answers)

    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(send, range(256)))
    assert results == ["200:queued,200:duplicate" if n % 4 == 0 else "200:queued" for n in range(256)]
    assert queue_depth(own_redis.client()) == 256


def test_a_silent_redis_answers_503_within_a_second():
    redis = RedisServer().start()
    server = ProcfileWeb(service_env(redis.url, "http://127.0.0.1:9")).start()
    try:
        body, headers = delivery(0, "paused")
        assert requests.post(f"{server.url}/webhooks/shopify", data=body, headers=headers, timeout=5).ok
        os.kill(redis.process.pid, signal.SIGSTOP)  # a partition: connections open, nothing answered

        def send(number: int) -> tuple[int, float]:
            body, headers = delivery(number, "paused")
            started = time.monotonic()
            answer = requests.post(f"{server.url}/webhooks/shopify", data=body, headers=headers, timeout=10)
            return answer.status_code, time.monotonic() - started

        with ThreadPoolExecutor(50) as pool:  # more at once than the pool has connections (32)
            answers = list(pool.map(send, range(1, 101)))
        assert {status for status, _ in answers} == {503}
        assert max(seconds for _, seconds in answers) < 1.0, sorted(seconds for _, seconds in answers)[-5:]
        os.kill(redis.process.pid, signal.SIGCONT)
        body, headers = delivery(200, "paused")
        answer = requests.post(f"{server.url}/webhooks/shopify", data=body, headers=headers, timeout=5)
        assert answer.json() == {"status": "queued"}
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)
        server.stop()
        redis.stop()

