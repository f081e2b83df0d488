"""`"dry_run": true` through a real worker and the sandbox: what the service would do (complete,
hold, fail) on live data, and nothing written: none of the service's Redis keys but its counters,
the shop's API points and token (the broker's own keys are Celery's), no draft, no order, no
mutation sent to Shopify."""

import pytest

from tests.integration.served import API_AUTH
from tests.integration.test_policy_rules import RED, new_order, set_stock

# Kept by every Admin API call and every task, whatever it does: the shop's points, its token, the counts.
OPERATIONAL = ("rw:metrics:", "rw:budget:", "rw:token:")


@pytest.fixture(scope="module")
def service(own_service):
    with own_service("dry-run", REPLACEMENT_MAX_VALUE="200.00", REPLACEMENT_MAX_VALUE_PER_DAY="1000.00") as service:
        yield service


def written(service, shop) -> tuple:
    keys = sorted(key.decode() for key in service.client.keys("rw:*") if not key.decode().startswith(OPERATIONAL))
    state = shop.state()
    return keys, state["orders"], state["draft_orders"]


def try_(service, order: str) -> dict:
    response = service.web().post("/api/replacements", headers=API_AUTH, json={"order": order, "dry_run": True})
    assert response.status_code == 200, response.json
    assert response.json["dry_run"] is True
    return response.json


def test_a_dry_run_tells_what_would_be_done_and_writes_nothing(shop, service):
    pricey = new_order(shop, line_items=[{"variant_id": RED, "quantity": 1, "price": "200.01"}])
    before, calls_before = written(service, shop), len(shop.calls())

    complete = try_(service, "#1001")
    held = try_(service, pricey)
    unknown = try_(service, "#9999")
    set_stock(shop, 0)
    before = (before[0], *written(service, shop)[1:])
    out_of_stock = try_(service, "#1001")

    assert complete == {
        "dry_run": True, "decision": "complete", "reasons": [], "order": "#1001",
        "lines": [{"sku": "IPOD2008RED", "title": "IPod Nano - 8gb", "quantity": 1,
                   "unit_price": "199.00", "variant_id": f"gid://shopify/ProductVariant/{RED}"}],
        "retail_value": "199.00", "currency": "USD",
        "shipping_line": {"title": "Replacement shipping", "price": "0.00"},
        "tags": ["replacement", "replacement-for-1001"]}
    assert (held["decision"], held["reasons"], held["retail_value"]) == (
        "hold", ["retail value 200.01 USD is above REPLACEMENT_MAX_VALUE 200.00"], "200.01")
    assert "replacement-review" in held["tags"]
    assert (unknown["decision"], unknown["order"]) == ("fail", "#9999")
    assert unknown["reasons"][0].startswith("order #9999 not found")
    assert (out_of_stock["decision"], out_of_stock["reasons"]) == (
        "fail", ["out of stock: SKU IPOD2008RED (needs 1, 0 available)"])

    assert written(service, shop) == before
    assert [call["type"] for call in shop.calls()[calls_before:] if call["type"] != "query"] == []
