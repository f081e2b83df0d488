"""A refund whose note asks for a replacement: the refunded units, and only those, come again,
through real webhooks from the sandbox, a real worker process and Redis."""

import json

import requests

from tests.integration.conftest import wait_for_request
from tests.integration.served import deliver_webhooks_to, serving, wait_for_webhooks
from tests.payloads import sample, shopify_headers

RED, GREEN = 49148385, 39072856


def test_shopifys_refund_sample_replaces_exactly_its_refunded_line(web, shop, state, workers):
    refund = sample("refund-create.rest-2026-07.json")
    refund["note"] = "wrong size - customer wants a replacement"
    body = json.dumps(refund).encode()

    response = web.post("/webhooks/shopify", data=body, headers=shopify_headers(body, topic="refunds/create"))

    assert response.json == {"status": "queued"}
    record = wait_for_request(state, "refund-929361472")
    assert record["status"] == "done", record
    [replacement] = shop.replacements()
    assert [(line["sku"], line["quantity"], line["discount"]) for line in replacement["line_items"]] == [
        ("IPOD2008RED", 1, "199.00")]
    assert replacement["total_price"] == "0.00"
    assert replacement["note"] == (
        "Replacement for #1001: wrong size - customer wants a replacement (via refund 929361472)")
    assert "replacement-issued" in shop.order("#1001")["tags"]


def test_a_refund_made_in_admin_replaces_its_units_once_and_restocks_nothing(shop, state, workers, service_env):
    order = requests.post(f"{shop.url}/_sandbox/orders", timeout=5, json={
        "customer_id": 207119551, "email": "bob.norman@mail.example.com",
        "line_items": [{"variant_id": RED, "quantity": 3}, {"variant_id": GREEN, "quantity": 2}],
        "shipping_address": {"first_name": "Bob", "last_name": "Norman", "address1": "Chestnut Street 92",
                             "city": "Louisville", "province_code": "KY", "country_code": "US", "zip": "40202"},
    }).json()["orders"][0]
    red_line = next(line["id"] for line in shop.rest_order(order["id"])["line_items"] if line["variant_id"] == RED)
    before = stock(shop)
    requests.post(f"{shop.url}/_sandbox/config", json={"webhook_duplicates": True}, timeout=5).raise_for_status()

    with serving(service_env) as url:
        deliver_webhooks_to(shop.url, url, "orders/updated", "refunds/create", "orders/create")
        refund = requests.post(f"{shop.url}/_sandbox/orders/{order['id']}/refunds", timeout=5, json={
            "note": "Arrived broken. REPLACE please", "amount": "398.00",
            "line_items": [{"line_item_id": red_line, "quantity": 2, "restock_type": "return"}]}).json()["refund"]
        record = wait_for_request(state, f"refund-{refund['id']}")
        deliveries = wait_for_webhooks(shop.url)

    assert record["status"] == "done", record
    [replacement] = shop.replacements()
    assert [(line["sku"], line["quantity"]) for line in replacement["line_items"]] == [("IPOD2008RED", 2)]
    assert replacement["tags"] == ["replacement", f"replacement-for-{order['name'].lstrip('#')}"]
    # The return put 2 units back (Shopify's doing); the replacement committed 2; nothing else moved.
    after = stock(shop)
    assert after["IPOD2008RED"] == {"available": before["IPOD2008RED"]["available"] + 2 - 2,
                                    "committed": before["IPOD2008RED"]["committed"] + 2}
    assert after["IPOD2008GREEN"] == before["IPOD2008GREEN"]
    assert {d["topic"] for d in deliveries} >= {"refunds/create", "orders/updated", "orders/create"}
    assert all(d["status"] == 200 for d in deliveries), deliveries
    # Every echo of the service's own writes (the new order, the tags), and every duplicate, made nothing.
    assert len(shop.replacements()) == 1
    assert len(shop.drafts()) == 1



def stock(shop) -> dict:
    return {row["sku"]: {"available": row["available"], "committed": row["committed"]}
            for row in shop.state()["inventory"]}


def test_a_refund_of_an_order_shopify_will_not_show_fails_naming_the_missing_scope(web, shop, state, workers):
    refund = {**sample("refund-create.rest-2026-07.json"), "id": 77, "order_id": 999, "note": "replace it"}
    body = json.dumps(refund).encode()

    assert web.post("/webhooks/shopify", data=body, headers=shopify_headers(body, topic="refunds/create")).json == {
        "status": "queued"}

    record = wait_for_request(state, "refund-77")
    assert (record["status"], record["reason"]) == ("failed", (
        "order gid://shopify/Order/999 not found (or older than 60 days: reading those needs the read_all_orders "
        "scope, which the app lacks)"))
    assert shop.replacements() == []
