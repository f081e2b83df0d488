"""Redis away longer than a task's own retries (issue 14): a delivery already answered `queued`
must not vanish. The task fails retryably while Redis is stopped and cannot publish its retry;
Celery would reject its message for good (`Reject(requeue=False)`), worker/task_base.py rejects
it with requeue instead. Real worker processes on a redis-server of their own (`own_service`),
stopped for real and started again on its AOF.

Measured here: the worker's main process applies that reject only once its consumer has
reconnected (its loop waits meanwhile), through the old channel, so Redis is back by then. With
requeue the message is pushed back at once and runs again; without it (Celery's own retry) the
message's entry in `unacked` is deleted and the request waits, `creating`, for reconciliation.
A worker lost whole while Redis is away applies no reject at all: the message stays in `unacked`
(AOF keeps it) and comes back after the visibility timeout."""

from __future__ import annotations

import json
import time

import pytest

from core.metrics import queue_depth
from devtools.processes import Workers, wait_until
from tests.integration.conftest import send_order_webhook, wait_for_request

REQUEST = "admin-450789469-1"
DELIVERY = "wh-outage"
UNPUBLISHED = "retry not published, message requeued"
# worker/services.py: the store's client rides out about 6 s of Redis away (8 retries) per call.
CLIENT_RETRIES_SECONDS = 6


def log_lines(output: str) -> list[dict]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("delivery_id") == DELIVERY]


def starts(output: str) -> list[tuple[str, int]]:
    return [(line["task_id"], line["attempt"]) for line in log_lines(output) if line["message"] == "task start"]


def retry_unpublished_while_redis_is_away(service, shop) -> float:
    """Delivers a tagging; Redis stops while the draft is being created, and stays away until the
    task, its own retries spent, has failed to publish its retry. Returns how long Redis was away."""
    # The draft is being created when Redis goes away: the task's next write to Redis fails.
    shop.faults({"field": "draftOrderCreate", "action": "delay", "nth": 1, "seconds": 2})
    shop.tag(add=["needs-replacement"])
    assert send_order_webhook(service.web(), shop.rest_order(), DELIVERY, "ev-outage").json == {"status": "queued"}
    wait_until(lambda: (r := service.state.get(REQUEST)) and r.get("status") == "creating", 20,
               message="the create call")

    service.redis.stop()
    stopped = time.monotonic()
    # Celery's trace logs the task's end: "Task worker.tasks.handle_event[...] reject requeue=...".
    wait_until(lambda: "] reject requeue=" in service.worker.output(), 40,
               message="the task to fail and find that its retry cannot be published")
    away = time.monotonic() - stopped
    assert away > CLIENT_RETRIES_SECONDS * 0.8, "Redis must be away longer than the task's own retries"
    [unpublished] = [line for line in log_lines(service.worker.output()) if line["message"] == UNPUBLISHED]
    assert "Connection refused" in unpublished["error"], unpublished
    return away


def assert_replaced_once(service, shop, timeout: float) -> None:
    record = wait_for_request(service.state, REQUEST, timeout=timeout)
    assert record["status"] == "done", record
    wait_until(lambda: queue_depth(service.client) == 0 and service.client.hlen("unacked") == 0, 20,
               message="every copy of the message to have run")
    assert len(shop.replacements()) == 1
    assert len(shop.drafts()) == 1
    assert service.state.dead_letters() == []


@pytest.fixture
def service(own_service):
    with own_service("unpublishable") as service:  # VISIBILITY_TIMEOUT as deployed, 75 s
        yield service


def test_a_task_that_cannot_publish_its_retry_is_requeued_and_replaces_once(service, shop):
    delivered = time.monotonic()
    away = retry_unpublished_while_redis_is_away(service, shop)
    service.redis.start()

    assert_replaced_once(service, shop, timeout=60)
    took = time.monotonic() - delivered
    # Well before the 75 s visibility timeout: the message was put back, not found again later.
    assert took < 60, took
    # The same message run again from the start (attempt 0): requeued, not a retry published later.
    [(task_id, _), *_] = runs = starts(service.worker.output())
    assert runs == [(task_id, 0), (task_id, 0)]
    print(f"Redis away {away:.1f} s; the requeued message replaced #1001 once, {took:.1f} s after the delivery")


@pytest.fixture
def short_visibility(own_service):
    with own_service("unpublishable", VISIBILITY_TIMEOUT="5") as service:
        yield service


def test_a_worker_lost_while_redis_is_away_leaves_the_message_to_come_back_after_the_visibility_timeout(
        short_visibility, shop):
    service = short_visibility
    retry_unpublished_while_redis_is_away(service, shop)
    [task_id, _] = starts(service.worker.output())[0]
    service.worker.kill()  # the whole worker, before it could requeue anything
    service.redis.start()
    assert service.client.hlen("unacked") == 1  # the message, kept by the AOF across the restart
    successor = Workers(service.env, concurrency=1, name="successor")
    service.workers.append(successor)  # stopped with the service
    successor.start()

    assert_replaced_once(service, shop, timeout=60)
    assert starts(successor.output()) == [(task_id, 0)]
