"""The merchant's recipe end to end, through real worker processes and the sandbox: reason codes
from tags, presets, the original's shipping refunded once, returns restocked where they land,
the original cancelled before its replacement is completed (and never when it was fulfilled).

What Shopify received is read back from the sandbox: its call log (which mutations, in which
order) and its state (refunds, stock, the orders themselves)."""

from __future__ import annotations

import json
import time

import pytest
import requests

from devtools.processes import wait_until
from tests.conftest import make_settings
from tests.integration.conftest import ORDER_ID, send_order_webhook, wait_for_request
from tests.integration.served import API_AUTH
from tests.integration.test_recovery import run_module
from tests.web.helpdesks.senders import SECRETS, encode, secret_env, signed_headers, ticket_payload
from web import create_app

RED_LINE = 518995019  # the one line of #1001 with a unit left (sku IPOD2008RED)
RED_VARIANT = 49148385
RETURNS_DESK = 2  # a second location, made per test: returns are restocked there
PRESETS = {"lost": {"shipping_title": "Express", "tags": ["lost-parcel"]}, "wrong-item": {"return": True}}


@pytest.fixture(scope="module")
def refunds(own_service, tmp_path_factory):
    """REFUND_ORIGINAL_SHIPPING, returns restocked at the returns desk, presets for lost and wrong-item,
    and shipping titled after the original's method (REPLACEMENT_SHIPPING=original)."""
    presets = tmp_path_factory.mktemp("recipe") / "presets.json"
    presets.write_text(json.dumps(PRESETS))
    with own_service("recipe-refunds", REFUND_ORIGINAL_SHIPPING="true", RESTOCK_LOCATION_ID=str(RETURNS_DESK),
                     PRESETS_FILE=str(presets), REPLACEMENT_SHIPPING="original") as service:
        yield service


@pytest.fixture(scope="module")
def cancels(own_service):
    """CANCEL_ORIGINAL, and replacements that ship nothing (REPLACEMENT_SHIPPING=none)."""
    with own_service("recipe-cancel", CANCEL_ORIGINAL="true", REPLACEMENT_SHIPPING="none") as service:
        yield service


@pytest.fixture(scope="module")
def cancels_with_refund(own_service):
    """CANCEL_ORIGINAL with CANCEL_ORIGINAL_REFUND, REFUND_ORIGINAL_SHIPPING, REPLACEMENT_SHIPPING=original."""
    with own_service("recipe-cancel-refund", CANCEL_ORIGINAL="true", CANCEL_ORIGINAL_REFUND="true",
                     REFUND_ORIGINAL_SHIPPING="true", REPLACEMENT_SHIPPING="original") as service:
        yield service


@pytest.fixture(autouse=True)
def clean_variants(request):
    for name in ("refunds", "cancels", "cancels_with_refund"):
        if name in request.fixturenames:
            request.getfixturevalue(name).clean()


def make_order(shop, **spec) -> dict:
    """An order like #1001 (one RED unit left), with `spec` on top; the next order number."""
    answer = requests.post(f"{shop.url}/_sandbox/orders", json={"count": 1, **spec}, timeout=5)
    answer.raise_for_status()
    return answer.json()["orders"][0]


def tag_and_send(variant, shop, tag: str, order_id: int = ORDER_ID) -> str:
    shop.tag(order_id, add=[tag])
    answer = send_order_webhook(variant.web(), shop.rest_order(order_id), f"wh-{order_id}-{tag}", f"ev-{tag}")
    assert answer.json == {"status": "queued"}
    return f"admin-{order_id}-1"


def mutations(shop) -> list[str]:
    return [call["operation"] for call in shop.calls() if call["type"] == "mutation"]


def refunds_of(shop, order_id: int) -> list[dict]:
    return [refund for refund in shop.state()["refunds"] if refund["order_id"] == order_id]


def stock(shop, location_id: int) -> dict:
    return {row["sku"]: (row["available"], row["committed"])
            for row in shop.state()["inventory"] if row["location_id"] == location_id}


def events(variant, request_id: str) -> list[str]:
    return [entry["event"] for entry in variant.state.journal_entries(request_id)]


def add_returns_desk(shop) -> None:
    requests.post(f"{shop.url}/_sandbox/locations", json={"id": RETURNS_DESK, "name": "Returns desk"},
                  timeout=5).raise_for_status()


# shipping: refunded once, the replacement at 0.00 under the original's method -------------

REFUND_FAULTS = [
    pytest.param({"field": "refundCreate", "action": "apply_then_fail", "nth": 1, "status": 502}, False,
                 id="answer-lost"),
    pytest.param({"field": "refundCreate", "action": "apply_then_fail", "nth": 1, "hang": 4}, True,
                 id="worker-killed"),
]


@pytest.mark.parametrize("fault, kill", REFUND_FAULTS)
def test_shipping_is_refunded_once_even_when_the_task_runs_twice(refunds, shop, fault, kill):
    order = make_order(shop, shipping_lines=[{"title": "Express", "price": "12.50"}])
    shop.faults(fault)
    request_id = tag_and_send(refunds, shop, "needs-replacement", order["id"])
    if kill:
        wait_until(lambda: "RefundCreate" in mutations(shop), 30, message="the refundCreate call")
        refunds.worker.kill_pool_children()

    assert wait_for_request(refunds.state, request_id, timeout=90)["status"] == "done"

    # Sent twice under one idempotency key, applied once.
    assert mutations(shop) == ["DraftOrderCreate", "RefundCreate", "RefundCreate", "DraftOrderComplete",
                               "TagsRemove", "TagsAdd"]
    [refund] = refunds_of(shop, order["id"])
    assert (refund["shipping"], refund["total"], refund["line_items"]) == ("12.50", "12.50", [])
    assert refund["note"] == f"Shipping refunded with request {request_id}"
    original = shop.order(order["name"])
    assert (original["totals"]["refunded"], original["financial_status"]) == ("12.50", "PARTIALLY_REFUNDED")
    [replacement] = shop.replacements()
    assert replacement["shipping_lines"] == [{"title": "Express", "price": "0.00"}]
    assert replacement["total_price"] == "0.00"
    assert events(refunds, request_id).count("shipping_refunded") == 1


def test_free_shipping_is_not_refunded(refunds, shop):
    request_id = tag_and_send(refunds, shop, "needs-replacement")

    assert wait_for_request(refunds.state, request_id)["status"] == "done"
    assert mutations(shop) == ["DraftOrderCreate", "DraftOrderComplete", "TagsRemove", "TagsAdd"]
    assert len(refunds_of(shop, ORDER_ID)) == 1  # the seed's own refund only
    assert [e["detail"] for e in refunds.state.journal_entries(request_id) if e["event"] == "shipping_refund_skipped"] \
        == [{"why": "nothing paid for shipping is left to refund"}]


# returns: a zero-value refund that restocks the returned units at RESTOCK_LOCATION_ID -------

def assert_return_restocked(refunds, shop, request_id: str, trigger_tag: bool = False):
    """`trigger_tag`: the request came from a tag on the original, which is taken off."""
    assert wait_for_request(refunds.state, request_id)["status"] == "done"
    assert mutations(shop) == ["DraftOrderCreate", "RefundCreate", "DraftOrderComplete",
                               *(["TagsRemove"] if trigger_tag else []), "TagsAdd"]
    refund = refunds_of(shop, ORDER_ID)[-1]
    # #1001 was never fulfilled: its unit is restocked as cancelled (a fulfilled one as returned:
    # tests/integration/test_real_shop_flow.py).
    assert refund["line_items"] == [{"line_item_id": RED_LINE, "quantity": 1, "restock_type": "CANCEL",
                                     "location_id": RETURNS_DESK}]
    assert (refund["total"], refund["shipping"]) == ("0.00", "0.00")
    assert refund["note"] == f"Restocked with request {request_id}"
    assert stock(shop, RETURNS_DESK)["IPOD2008RED"] == (1, 0)  # the returned unit
    assert stock(shop, 1)["IPOD2008RED"] == (49, 1)  # the replacement's unit, from the warehouse
    original = shop.order("#1001")
    assert original["financial_status"] == "PARTIALLY_REFUNDED"  # no money moved
    assert [line["current_quantity"] for line in original["line_items"] if line["id"] == RED_LINE] == [0]


def test_an_api_request_with_return_restocks_the_returned_unit(refunds, shop):
    add_returns_desk(shop)
    body = {"order": "#1001", "lines": [{"sku": "IPOD2008RED", "quantity": 1}], "return": True,
            "reason": "arrived broken"}
    answer = refunds.web().post("/api/replacements", json=body, headers=API_AUTH)
    assert answer.status_code == 202, answer.json

    assert_return_restocked(refunds, shop, answer.json["request_id"])


def test_a_helpdesk_ticket_tagged_replace_return_restocks_the_returned_unit(refunds, shop):
    add_returns_desk(shop)
    web = create_app(make_settings(**refunds.env, **secret_env())).test_client()
    body = encode(ticket_payload("gorgias", ticket_id="201", tags=("replace-return",), lines="IPOD2008RED x 1"))
    answer = web.post("/webhooks/helpdesk/gorgias", data=body, headers={
        "Content-Type": "application/json", **signed_headers("gorgias", body, SECRETS["gorgias"], time.time())})
    assert answer.json == {"status": "queued"}

    assert_return_restocked(refunds, shop, "gorgias-example-201")


# reason codes from tags, and presets -------------------------------------------------------

@pytest.mark.parametrize("tag, reason", [
    ("needs-replacement-damaged", "damaged"),
    ("needs-replacement:damaged", "damaged"),
    ("Needs-Replacement-Defective", "defective"),
    ("needs-replacement:missing-item", "missing-item"),
])
def test_every_reason_tag_form_triggers_and_sets_the_reason(refunds, shop, tag, reason):
    request_id = tag_and_send(refunds, shop, tag)

    assert wait_for_request(refunds.state, request_id)["status"] == "done"
    [replacement] = shop.replacements()
    assert replacement["note"] == f"Replacement for #1001: {reason} (via admin tag)"
    assert {"key": "Replacement reason", "value": reason} in replacement["custom_attributes"]
    assert replacement["shipping_lines"] == [{"title": "Free Shipping", "price": "0.00"}]  # shipping=original
    journal = refunds.state.journal_entries(request_id)
    assert (journal[0]["detail"]["reason"], journal[-1]["detail"]["reason"]) == (reason, reason)
    tags = shop.order("#1001")["tags"]
    assert tag not in tags and "replacement-issued" in tags


def test_reconciliation_finds_an_order_whose_reason_tag_webhook_was_lost(refunds, shop):
    shop.tag(add=["needs-replacement-damaged"])  # and no webhook arrives

    run_module("celery", refunds.env, "-A", "worker.main", "call", "worker.tasks.reconcile")

    record = wait_for_request(refunds.state, f"admin-{ORDER_ID}-1")
    assert (record["status"], record["request"]["reason_code"]) == ("done", "damaged")
    assert shop.replacements()[0]["note"] == "Replacement for #1001: damaged (via admin tag)"


def test_an_unknown_reason_code_still_triggers_as_other(refunds, shop):
    request_id = tag_and_send(refunds, shop, "needs-replacement-broken-screen")

    assert wait_for_request(refunds.state, request_id)["status"] == "done"
    [replacement] = shop.replacements()
    assert replacement["note"] == "Replacement for #1001: other (broken-screen) (via admin tag)"
    assert {"key": "Replacement reason", "value": "other"} in replacement["custom_attributes"]
    assert "needs-replacement-broken-screen" not in shop.order("#1001")["tags"]


def test_the_lost_preset_ships_express_and_tags_the_replacement(refunds, shop):
    request_id = tag_and_send(refunds, shop, "needs-replacement:lost")

    assert wait_for_request(refunds.state, request_id)["status"] == "done"
    [replacement] = shop.replacements()
    assert replacement["shipping_lines"] == [{"title": "Express", "price": "0.00"}]
    assert replacement["tags"] == ["lost-parcel", "replacement", "replacement-for-1001"]
    assert replacement["note"] == "Replacement for #1001: lost (via admin tag)"


def test_the_wrong_item_preset_also_restocks_the_return(refunds, shop):
    add_returns_desk(shop)
    request_id = tag_and_send(refunds, shop, "needs-replacement-wrong-item")

    assert_return_restocked(refunds, shop, request_id, trigger_tag=True)
    assert shop.replacements()[0]["note"] == "Replacement for #1001: wrong-item (via admin tag)"


# cancelling the original -------------------------------------------------------------------

def test_the_original_is_cancelled_before_its_replacement_is_completed(cancels, shop):
    paid = shop.order("#1001")
    request_id = tag_and_send(cancels, shop, "needs-replacement")

    assert wait_for_request(cancels.state, request_id)["status"] == "done"
    assert mutations(shop) == ["DraftOrderCreate", "OrderCancel", "DraftOrderComplete", "TagsRemove", "TagsAdd"]
    original = shop.order("#1001")
    assert original["cancelled_at"] and original["cancel_reason"] == "OTHER"
    assert original["cancel_staff_note"] == f"Replaced by draft order #D1 (replacement request {request_id})"
    # No money refunded: CANCEL_ORIGINAL_REFUND is not set.
    assert (original["financial_status"], original["totals"]["refunded"]) == (
        paid["financial_status"], paid["totals"]["refunded"])
    assert stock(shop, 1)["IPOD2008RED"] == (50, 1)  # the original's unit back on the shelf, the replacement's out
    [replacement] = shop.replacements()
    assert replacement["shipping_lines"] == []  # REPLACEMENT_SHIPPING=none
    assert "original_cancelled" in events(cancels, request_id)


def test_a_worker_killed_after_the_cancel_cancels_once_and_completes(cancels, shop):
    shop.faults({"field": "orderCancel", "action": "apply_then_fail", "nth": 1, "hang": 4})
    request_id = tag_and_send(cancels, shop, "needs-replacement")
    wait_until(lambda: "OrderCancel" in mutations(shop), 30, message="the orderCancel call")
    cancels.worker.kill_pool_children()

    assert wait_for_request(cancels.state, request_id, timeout=90)["status"] == "done"
    assert mutations(shop) == ["DraftOrderCreate", "OrderCancel", "DraftOrderComplete", "TagsRemove", "TagsAdd"]
    assert [r["name"] for r in shop.replacements()] == ["#1002"]


def test_a_fulfilled_original_is_never_cancelled(cancels, shop):
    order = make_order(shop, fulfillment_status="fulfilled")
    request_id = tag_and_send(cancels, shop, "needs-replacement", order["id"])

    record = wait_for_request(cancels.state, request_id)

    reason = f"order {order['name']} cannot be cancelled: it is fulfilled (CANCEL_ORIGINAL applies to unfulfilled " \
             f"orders only)"
    assert (record["status"], record["reason"]) == ("failed", reason)
    assert mutations(shop) == ["DraftOrderCreate", "TagsRemove", "TagsAdd"]
    original = shop.order(order["name"])
    assert original["cancelled_at"] is None and "replacement-failed" in original["tags"]
    assert shop.replacements() == []
    assert cancels.state.journal_entries(request_id)[-1]["detail"] == {"reason": reason}


def test_cancel_original_refund_gives_the_rest_of_the_money_back_after_the_shipping(cancels_with_refund, shop):
    order = make_order(shop, shipping_lines=[{"title": "Express", "price": "12.50"}])
    request_id = tag_and_send(cancels_with_refund, shop, "needs-replacement", order["id"])

    assert wait_for_request(cancels_with_refund.state, request_id)["status"] == "done"
    assert mutations(shop) == ["DraftOrderCreate", "RefundCreate", "OrderCancel", "DraftOrderComplete",
                               "TagsRemove", "TagsAdd"]
    [refund] = refunds_of(shop, order["id"])
    assert (refund["shipping"], refund["total"]) == ("12.50", "12.50")
    original = shop.order(order["name"])
    # 3 x 199.00 bought and 12.50 shipping: the shipping by refundCreate, the rest by orderCancel.
    assert (original["financial_status"], original["totals"]["refunded"]) == ("REFUNDED", "609.50")
    assert original["cancelled_at"] and shop.replacements()[0]["shipping_lines"] == [
        {"title": "Express", "price": "0.00"}]
