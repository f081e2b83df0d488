"""refunds/create and orders/cancelled in-process: what is queued, what is ignored, and how a
refund's units are planned although Shopify has already taken them off the line."""

import json

import fakeredis
import pytest

from core.store import State
from replacements.planner import PlanError, plan_replacement
from shopify import documents as docs
from shopify.errors import RetryableShopifyError
from tests.canned_shopify import CannedShopify
from tests.conftest import make_settings
from tests.payloads import graphql_order, sample, shopify_headers
from tests.queued import QueuedTasks
from web import create_app
from worker.state_machine import Replacer


def post(app, body: dict, topic: str, webhook_id: str = "wh-1"):
    raw = json.dumps(body).encode()
    return app.test_client().post("/webhooks/shopify", data=raw,
                                  headers=shopify_headers(raw, topic=topic, webhook_id=webhook_id))


def refund(note: str = "wrong size, please replace", **changes) -> dict:
    body = sample("refund-create.rest-2026-07.json")
    body.update(note=note, **changes)
    return body


def test_refund_asking_for_a_replacement_queues_exactly_its_refunded_lines(app, queued):
    response = post(app, refund(), "refunds/create")

    assert response.json == {"status": "queued"}
    queued.assert_called_once_with("worker.tasks.handle_event", args=[{
        "source": "refund", "source_label": "refund 929361472", "request_id": "refund-929361472",
        "order": "gid://shopify/Order/450789469", "reason": "wrong size, please replace",
        "lines": [{"line_item_id": 518995019, "quantity": 1}], "shop": "example.myshopify.com"}])


@pytest.mark.parametrize("note", ["REPLACE", "Customer wants a Replacement"])
def test_the_keyword_is_found_in_any_case(app, queued, note):
    assert post(app, refund(note), "refunds/create").json == {"status": "queued"}


def test_refund_without_the_keyword_or_without_lines_is_ignored(app, queued):
    assert post(app, refund("wrong size"), "refunds/create").json == {
        "status": "ignored", "reason": "refund note does not contain 'replace'"}
    assert post(app, refund(None), "refunds/create", "wh-2").json["status"] == "ignored"
    assert post(app, refund(refund_line_items=[]), "refunds/create", "wh-3").json == {
        "status": "ignored", "reason": "refund has no line items to replace"}
    queued.assert_not_called()


@pytest.mark.parametrize("note", ["Restocked with request replace-me-1", "Shipping refunded with request replace-7"])
def test_the_services_own_refunds_never_trigger_it_whatever_the_keyword(note):
    app = create_app(make_settings(REFUND_KEYWORD="request"), redis_client=fakeredis.FakeRedis())
    assert post(app, refund(note), "refunds/create").json == {
        "status": "ignored", "reason": "refund made by this service"}
    QueuedTasks(app.extensions["intake"].client).assert_not_called()


def test_malformed_refund_names_the_field(app, queued):
    body = refund()
    body["refund_line_items"][0]["quantity"] = "1"
    response = post(app, body, "refunds/create")
    assert response.status_code == 422
    assert response.json["fields"] == {"refund_line_items": {"0": {"quantity": ["Not a valid integer."]}}}


def test_cancelled_order_queues_the_draft_clean_up(app, queued):
    body = sample("order-cancelled.rest-2026-07.json")

    assert post(app, body, "orders/cancelled").json == {"status": "queued"}

    queued.assert_called_once_with("worker.tasks.handle_cancelled", args=[
        {"order": "gid://shopify/Order/450789469", "shop": "example.myshopify.com"}])


def refunded_order():
    """#1001 after a refund of its one red unit: Shopify's currentQuantity is 0, quantity still 1."""
    order = graphql_order()
    order["lineItems"]["nodes"][1]["currentQuantity"] = 0
    return order


REFUND_REQUEST = {"request_id": "refund-929361472", "source": "refund", "source_label": "refund 929361472",
                  "lines": [{"line_item_id": 518995019, "quantity": 1}], "reason": "wrong size, replace"}


def test_a_refund_replaces_the_refunded_units_although_they_left_the_line():
    plan = plan_replacement(refunded_order(), REFUND_REQUEST)

    assert [(line.sku, line.quantity) for line in plan.lines] == [("IPOD2008RED", 1)]
    assert plan.draft_input["note"] == "Replacement for #1001: wrong size, replace (via refund 929361472)"


def test_a_refund_cannot_ask_for_more_than_was_bought_and_other_sources_still_count_current_units():
    with pytest.raises(PlanError, match="line IPOD2008RED: 2 requested but the order bought 1"):
        plan_replacement(refunded_order(), {**REFUND_REQUEST, "lines": [{"line_item_id": 518995019, "quantity": 2}]})
    with pytest.raises(PlanError, match="line IPOD2008RED: nothing left to replace"):
        plan_replacement(refunded_order(), {**REFUND_REQUEST, "source": "api", "lines": [{"sku": "IPOD2008RED"}]})


def test_a_cancelled_originals_draft_waits_while_its_request_is_in_progress():
    draft = {"id": "gid://shopify/DraftOrder/9", "status": "OPEN", "ready": True, "order": None,
             "customAttributes": [{"key": "Replacement request", "value": "api-1"}]}
    client = CannedShopify({
        docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order(cancelledAt="2026-11-26T09:00:00Z")},
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft]}},
        docs.DRAFT_ORDER_DELETE: {"draftOrderDelete": {"deletedId": draft["id"], "userErrors": []}},
    })
    settings = make_settings()
    state = State(fakeredis.FakeRedis())
    state.create_request({"request_id": "api-1", "order": "#1001", "source": "api"})
    state.update("api-1", status="completing")
    replacer = Replacer(settings, settings.default_shop, client, state)

    with pytest.raises(RetryableShopifyError, match="request api-1 is still in progress"):
        replacer.handle_cancelled("gid://shopify/Order/450789469")
    assert not any(document == docs.DRAFT_ORDER_DELETE for document, _ in client.sent)

    state.update("api-1", status="done", hold="1")
    assert replacer.handle_cancelled("gid://shopify/Order/450789469") == ["api-1"]
    assert (client.sent[-1][1], state.get("api-1")["status"]) == ({"input": {"id": draft["id"]}}, "cancelled")
    assert client.sent[1] == (docs.FIND_REPLACEMENT_DRAFTS, {"query": "tag:replacement-for-1001 status:open"})
