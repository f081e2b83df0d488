"""Two `celery worker` processes on one shop share one API budget through Redis: under a bucket
too small for the load they wait for points, and the sandbox never has to throttle a call. The two
are the only workers of their Redis (`own_service`): the session's workers take none of the load."""

import time

import pytest
import requests

from tests.integration.conftest import send_order_webhook, wait_for_request

ORDERS = 20
# Larger than the dearest query (the order read asks 500-odd points), smaller than the load.
BUCKET = {"maximum_available": 700, "restore_rate": 100}


@pytest.fixture(scope="module")
def two_workers(own_service):
    with own_service("budget", processes=2) as service:
        yield service


def test_two_worker_processes_never_overdraw_the_shop_bucket(shop, two_workers):
    web, state = two_workers.web(), two_workers.state
    requests.post(f"{shop.url}/_sandbox/config", json=BUCKET, timeout=5).raise_for_status()
    created = requests.post(f"{shop.url}/_sandbox/orders", json={"count": ORDERS}, timeout=5).json()["orders"]
    started = time.monotonic()
    for order in created:
        shop.tag(order["id"], add=["needs-replacement"])
        response = send_order_webhook(web, shop.rest_order(order["id"]), f"wh-{order['id']}", f"ev-{order['id']}")
        assert response.json == {"status": "queued"}

    records = [wait_for_request(state, f"admin-{order['id']}-1", timeout=120) for order in created]
    elapsed = time.monotonic() - started

    assert [r["status"] for r in records] == ["done"] * ORDERS
    calls = shop.calls()
    charged = sum(call["charged"] for call in calls)
    assert charged > BUCKET["maximum_available"] * 1.3, "the load must be more than a full bucket"
    assert elapsed >= (charged - BUCKET["maximum_available"]) / BUCKET["restore_rate"] * 0.9
    assert [c for c in calls if c["throttled"]] == []
    assert all(c["available_before"] >= c["requested_cost"] for c in calls if c["available_before"] is not None)
