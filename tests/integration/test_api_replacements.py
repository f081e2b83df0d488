"""The API end to end: one order, an incident of 200 orders (each replaced once, a resubmission
adds none), a bad token and a malformed body; real worker processes, Redis and the sandbox."""

import time

import requests

from core.metrics import queue_depth
from devtools.processes import wait_until
from tests.integration.conftest import wait_for_request
from tests.integration.served import API_AUTH

BATCH = 200


def test_one_order_is_replaced_and_its_status_names_the_replacement(web, shop, state, workers):
    response = web.post("/api/replacements", headers=API_AUTH,
                        json={"order": "#1001", "reason": "lost by the carrier"})

    assert response.status_code == 202
    request_id = response.json["request_id"]
    assert web.get(f"/api/replacements/{request_id}", headers=API_AUTH).json["status"] in (
        "queued", "creating", "draft_created", "completing", "completed", "done")
    assert wait_for_request(state, request_id)["status"] == "done"
    [replacement] = shop.replacements()
    assert web.get(f"/api/replacements/{request_id}", headers=API_AUTH).json == {
        "request_id": request_id, "status": "done", "order": "#1001",
        "replacement": {"id": f"gid://shopify/Order/{replacement['id']}", "name": "#1002"}}
    assert replacement["note"] == "Replacement for #1001: lost by the carrier (via API)"


def test_an_incident_of_200_orders_is_replaced_once_each_and_a_resubmission_adds_none(web, shop, state, workers):
    # A bucket large enough that the test measures the service, not the plan's restore rate.
    requests.post(f"{shop.url}/_sandbox/config", json={"maximum_available": 100_000, "restore_rate": 10_000,
                                                       "draft_ready_delay": 0}, timeout=5).raise_for_status()
    requests.post(f"{shop.url}/_sandbox/inventory", json={"variant_id": 49148385, "available": BATCH},
                  timeout=5).raise_for_status()
    originals = requests.post(f"{shop.url}/_sandbox/orders", json={"count": BATCH}, timeout=30).json()["orders"]
    body = {"orders": [order["name"] for order in originals], "reason": "pallet lost in transit"}
    started = time.monotonic()

    response = web.post("/api/replacements", headers=API_AUTH, json=body)

    assert response.status_code == 202
    assert (response.json["queued"], response.json["duplicate"]) == (BATCH, 0)
    batch_id = response.json["batch_id"]
    status = wait_until(lambda: (s := web.get(f"/api/replacements/{batch_id}", headers=API_AUTH).json)
                        ["counts"].keys() <= {"done", "failed"} and s, 120, interval=0.2, message="the batch to finish")
    elapsed = time.monotonic() - started
    assert status["counts"] == {"done": BATCH}
    replaced = sorted(r["custom_attributes"][0]["value"] for r in shop.replacements())
    assert replaced == sorted(order["name"] for order in originals)
    assert len({r["replacement"]["name"] for r in status["requests"]}) == BATCH
    assert not any(call["throttled"] for call in shop.calls())

    again = web.post("/api/replacements", headers=API_AUTH, json=body)

    assert again.status_code == 202
    assert again.json == {**response.json, "queued": 0, "duplicate": BATCH}
    assert queue_depth(state.client) == 0
    assert len(shop.replacements()) == BATCH
    print(f"{BATCH} replacements in {elapsed:.1f}s")


def test_a_bad_token_is_401_and_queues_nothing(web, state):
    response = web.post("/api/replacements", headers={"Authorization": "Bearer not-the-token"},
                        json={"order": "#1001"})

    assert response.status_code == 401
    assert response.json == {"status": "error", "error": "missing or bad bearer token"}
    assert queue_depth(state.client) == 0
    assert state.open_requests() == []


def test_a_malformed_body_is_422_naming_the_field_and_queues_nothing(web, state):
    incident = {"orders": ["#1001", {"order": "#1002", "lines": [{"sku": "IPOD2008RED", "quantity": -1}]}]}

    response = web.post("/api/replacements", headers=API_AUTH, json=incident)

    assert response.status_code == 422
    assert response.json["fields"] == {"orders[1].lines[0].quantity": ["must be a whole number of at least 1"]}
    assert queue_depth(state.client) == 0
    assert state.open_requests() == []
