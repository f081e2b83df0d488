"""One fleet, two shops: a shop in the middle of an incident never stands between another shop
and its next replacement. Shop A asks for 400 replacements in one API call on a bucket that
pays for two; shop B then asks for one. Without the burst allowance B's task waited behind every
one of A's in the queue (each taken, found short of A's points and sent back): 24 s here, 30-39
s in `python -m bench.fleet` with 500 orders. Real worker processes, Redis and two sandboxes."""

import json
import time

import pytest
import requests

from core.store import FINAL
from sandbox.testing import running_sandbox
from tests.integration.conftest import wait_for_request
from tests.integration.served import API_AUTH

INCIDENT = 400
SHOP_A, SHOP_B = "incident-shop.myshopify.com", "quiet-shop.myshopify.com"
RED = 49148385  # the seed order's variant


@pytest.fixture(scope="module")
def fleet(own_service, tmp_path_factory):
    with running_sandbox(token="shpat_a", restore_rate=5, maximum_available=100, draft_ready_delay=0.05) as shop_a, \
            running_sandbox(token="shpat_b", draft_ready_delay=0.05) as shop_b:
        path = tmp_path_factory.mktemp("fleet") / "shops.json"
        path.write_text(json.dumps([
            {"shop": SHOP_A, "access_token": "shpat_a", "webhook_secret": "shpss_a", "admin_url": shop_a.url},
            {"shop": SHOP_B, "access_token": "shpat_b", "webhook_secret": "shpss_b", "admin_url": shop_b.url},
        ]))
        token = API_AUTH["Authorization"].removeprefix("Bearer ")
        env = {"SHOPS_FILE": str(path), "API_TOKEN": token, "LOG_LEVEL": "WARNING"}
        with own_service("fleet", env=env) as service:
            yield service, shop_a


def test_a_shop_in_an_incident_never_delays_another_shops_replacement(fleet):
    service, shop_a = fleet
    web = service.web()
    requests.post(f"{shop_a.url}/_sandbox/inventory", json={"variant_id": RED, "available": INCIDENT},
                  timeout=5).raise_for_status()
    originals = shop_a.create_orders(count=INCIDENT)
    incident = web.post("/api/replacements", headers=API_AUTH, json={
        "shop": SHOP_A, "orders": [order["name"] for order in originals], "reason": "pallet lost in transit"})
    assert incident.status_code == 202 and incident.json["queued"] == INCIDENT

    asked = time.monotonic()
    one = web.post("/api/replacements", headers=API_AUTH,
                   json={"shop": SHOP_B, "order": "#1001", "reason": "arrived broken"})
    assert one.status_code == 202
    done = wait_for_request(service.state, one.json["request_id"], timeout=60)
    took = time.monotonic() - asked

    assert done["status"] == "done"
    still_waiting = [request_id for request_id in incident.json["request_ids"]
                     if (service.state.get(request_id) or {}).get("status") not in FINAL]
    assert len(still_waiting) > INCIDENT - 20  # A's incident goes on at A's pace
    assert took < 5, f"shop B waited {took:.1f} s behind shop A's incident"
