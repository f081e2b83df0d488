"""What real Shopify forces on the flow, through real worker processes and the sandbox standing in
for a store of December 2026: transient GraphQL errors, a locked shop, a token without
read_locations, an asynchronous orderCancel, free-form order names, subscription lines, a
development store, an order without a readable address, returns of fulfilled units, and two
drafts of one request. None of the transient answers ever tags an order `replacement-failed`."""

from __future__ import annotations

import time

import pytest
import requests

from core import keys
from core.metrics import render
from devtools.processes import TOKEN, wait_until
from sandbox.config import DEFAULT_SCOPES
from tests.integration.conftest import ORDER_ID, send_order_webhook, wait_for_request
from tests.integration.served import API_AUTH
from tests.payloads import SHOP

REQUEST = "admin-450789469-1"
RED_LINE = 518995019  # the one line of #1001 with a unit left (sku IPOD2008RED)
PRODUCT = 632910392  # the seed's product: every line of #1001 is one of its variants


def tag_and_send(web, shop, order_id: int = ORDER_ID, webhook_id: str = "wh-1") -> str:
    shop.tag(order_id, add=["needs-replacement"])
    answer = send_order_webhook(web, shop.rest_order(order_id), webhook_id, f"ev-{webhook_id}")
    assert answer.json == {"status": "queued"}
    return f"admin-{order_id}-1"


def make_order(shop, **spec) -> dict:
    """An order like #1001 (one RED unit left), with `spec` on top."""
    answer = requests.post(f"{shop.url}/_sandbox/orders", json={"count": 1, **spec}, timeout=5)
    answer.raise_for_status()
    return answer.json()["orders"][0]


def configure(shop, **settings) -> None:
    """Sandbox settings until the next reset (every test starts from one)."""
    requests.post(f"{shop.url}/_sandbox/config", json=settings, timeout=5).raise_for_status()


def calls_of(shop, operation: str) -> list[dict]:
    return [call for call in shop.calls() if call["operation"] == operation]


def mutations(shop) -> list[str]:
    return [call["operation"] for call in shop.calls() if call["type"] == "mutation"]


def assert_one_replacement_never_failed(shop, state, request_id: str = REQUEST, original: str = "#1001") -> dict:
    record = wait_for_request(state, request_id, timeout=90)
    assert record["status"] == "done", record
    assert len(shop.replacements()) == 1 and len(shop.drafts()) == 1
    tags = shop.order(original)["tags"]
    assert "replacement-issued" in tags and "replacement-failed" not in tags
    return record


def assert_failed(state, shop, request_id: str, reason: str, original: str = "#1001") -> None:
    record = wait_for_request(state, request_id)
    assert (record["status"], record["reason"]) == ("failed", reason)
    assert shop.replacements() == []
    assert "replacement-failed" in shop.order(original)["tags"]


# transient answers: retried, looked for before a mutation is sent again --------------------

@pytest.mark.parametrize("code", ["INTERNAL_SERVER_ERROR", "TIMEOUT"])
def test_a_transient_graphql_error_on_the_order_read_is_ridden_out(web, shop, state, workers, code):
    # Four in a row: more than the client's three tries in place, so the task itself retries.
    shop.faults({"field": "order", "action": "graphql_error", "code": code, "times": 4})
    tag_and_send(web, shop)

    assert_one_replacement_never_failed(shop, state)
    errors = [call["errors"] for call in calls_of(shop, "OrderForReplacement") if call["errors"]]
    assert len(errors) == 4 and all(code in str(error) for error in errors)


def test_internal_server_error_on_draft_order_create_not_applied_is_looked_for_then_sent_again(
        web, shop, state, workers):
    shop.faults({"field": "draftOrderCreate", "action": "graphql_error", "nth": 1})
    started = time.monotonic()
    tag_and_send(web, shop)

    assert_one_replacement_never_failed(shop, state)

    # Nothing was made: after 30 s of finding nothing, a second create.
    creates = calls_of(shop, "DraftOrderCreate")
    assert len(creates) == 2 and creates[1]["at"] - creates[0]["at"] >= 30
    assert len(calls_of(shop, "FindReplacementDrafts")) >= 2
    print(f"\nINTERNAL_SERVER_ERROR on draftOrderCreate, nothing applied: done in {time.monotonic() - started:.1f} s")


def test_internal_server_error_on_draft_order_create_applied_is_found_never_created_twice(web, shop, state, workers):
    shop.faults({"field": "draftOrderCreate", "action": "graphql_error", "nth": 1, "apply": True})
    tag_and_send(web, shop)

    assert_one_replacement_never_failed(shop, state)
    assert len(calls_of(shop, "DraftOrderCreate")) == 1


def test_a_shop_locked_for_ten_seconds_completes_after_the_lock_clears(web, shop, state, workers):
    requests.post(f"{shop.url}/_sandbox/lock", json={"seconds": 10}, timeout=5).raise_for_status()
    locked_at = time.time()
    tag_and_send(web, shop)

    assert_one_replacement_never_failed(shop, state)

    locked = [call for call in shop.calls() if call["status"] == 423]
    assert locked and all(call["at"] < locked_at + 10.5 for call in locked)
    assert calls_of(shop, "DraftOrderComplete")[0]["at"] >= locked_at + 10
    assert "shop unavailable, its work waits" in workers.output()
    print(f"\nlocked 10 s: done {float(state.get(REQUEST)['finished_at']) - locked_at:.1f} s after the lock")


def test_a_token_without_read_locations_replaces_all_the_same(web, shop, state, workers):
    configure(shop, scopes=[scope for scope in DEFAULT_SCOPES if scope != "read_locations"])
    tag_and_send(web, shop)

    assert_one_replacement_never_failed(shop, state)
    assert [call for call in shop.calls() if call["errors"]] == []
    [draft] = shop.drafts()
    assert draft["accept_automatic_discounts"] is False


# CANCEL_ORIGINAL against an asynchronous orderCancel ---------------------------------------

@pytest.fixture(scope="module")
def cancels(own_service):
    with own_service("real-shop-cancel", CANCEL_ORIGINAL="true") as service:
        yield service


@pytest.fixture
def clean_cancels(cancels):
    cancels.clean()
    return cancels


def test_a_cancel_job_that_fails_completes_no_replacement(clean_cancels, shop):
    shop.faults({"field": "orderCancel", "action": "job_fails"})
    request_id = tag_and_send(clean_cancels.web(), shop)

    assert_failed(clean_cancels.state, shop, request_id,
                  "order #1001 was not cancelled: Shopify's cancel job finished without cancelling it, so the "
                  "replacement was not completed (two parcels would go out); draft #D1 stays open for a person")
    assert mutations(shop) == ["DraftOrderCreate", "OrderCancel", "TagsRemove", "TagsAdd"]
    assert shop.order("#1001")["cancelled_at"] is None
    [draft] = shop.drafts()
    assert draft["status"] == "OPEN"


def test_a_cancel_job_longer_than_a_task_run_is_waited_on_and_the_original_cancelled_once(clean_cancels, shop):
    configure(shop, cancel_job_seconds=14)  # more than one run waits (10 s)
    request_id = tag_and_send(clean_cancels.web(), shop)

    assert wait_for_request(clean_cancels.state, request_id, timeout=90)["status"] == "done"

    assert mutations(shop) == ["DraftOrderCreate", "OrderCancel", "DraftOrderComplete", "TagsRemove", "TagsAdd"]
    [cancel], [complete] = calls_of(shop, "OrderCancel"), calls_of(shop, "DraftOrderComplete")
    assert complete["at"] >= cancel["at"] + 14
    assert shop.order("#1001")["cancelled_at"] and len(shop.replacements()) == 1
    journal = [entry["event"] for entry in clean_cancels.state.journal_entries(request_id)]
    assert journal.index("cancel_requested") < journal.index("original_cancelled") < journal.index("completed")
    assert "is not done yet" in clean_cancels.worker.output()


# what the store holds ----------------------------------------------------------------------

def test_orders_named_with_a_prefix_or_a_suffix_are_found_as_merchants_write_them(shop, state, workers, publisher):
    make_order(shop, name="EN2001")
    make_order(shop, name="2002-A")
    for request_id, reference in (("api-prefix", "en2001"), ("api-suffix", "2002-a")):
        publisher.send_task(keys.HANDLE_EVENT, args=[{"shop": SHOP, "source": "api", "source_label": "API",
                                                      "request_id": request_id, "order": reference}])

    for request_id, name, tag in (("api-prefix", "EN2001", "replacement-for-en2001"),
                                  ("api-suffix", "2002-A", "replacement-for-2002-a")):
        assert wait_for_request(state, request_id)["status"] == "done"
        [replacement] = [order for order in shop.replacements() if tag in order["tags"]]
        assert replacement["note"] == f"Replacement for {name}: replacement requested (via API)"
        assert "replacement-issued" in shop.order(name)["tags"]


def test_an_admin_tag_on_an_order_with_a_prefixed_name(web, shop, state, workers):
    configure(shop, order_name_prefix="EN")
    order = make_order(shop)
    request_id = tag_and_send(web, shop, order["id"])

    assert_one_replacement_never_failed(shop, state, request_id, original=order["name"])
    [replacement] = shop.replacements()
    assert order["name"].startswith("EN") and replacement["name"].startswith("EN")
    assert f"replacement-for-{order['name'].lower()}" in replacement["tags"]


def test_a_subscription_line_fails_naming_it_before_any_draft(web, shop, state, workers):
    requests.post(f"{shop.url}/_sandbox/products/{PRODUCT}", json={"requires_selling_plan": True},
                  timeout=5).raise_for_status()
    tag_and_send(web, shop)

    assert_failed(state, shop, REQUEST,
                  "line IPOD2008RED: its product is sold by subscription only (it requires a selling plan), and "
                  "Shopify draft orders cannot hold subscription lines: replace it by hand")
    assert mutations(shop) == ["TagsRemove", "TagsAdd"] and shop.drafts() == []


def test_a_development_store_that_cannot_create_orders_fails_saying_so(web, shop, state, workers):
    configure(shop, plan="development")
    tag_and_send(web, shop)

    assert_failed(state, shop, REQUEST,
                  f"shop {SHOP} cannot complete orders on its plan (a development or trial store: Shopify answered "
                  f"\"Change your plan to allow customers to checkout and to create orders.\"); set "
                  f"REPLACEMENT_MODE=draft to leave replacements as drafts for a person, or change the shop's plan. "
                  f"Draft #D1 stays open")


def test_an_order_whose_address_cannot_be_read_is_never_replaced_without_one(web, shop, state, workers):
    configure(shop, protected_customer_data=False)
    tag_and_send(web, shop)

    assert_failed(state, shop, REQUEST,
                  "order #1001 has no shipping address to send the replacement to (or the app cannot read it: grant "
                  "it protected customer data access to addresses); give one with the request")
    assert shop.drafts() == []


def test_a_returned_unit_that_was_fulfilled_is_restocked_as_a_return(web, shop, state, workers):
    order = make_order(shop, fulfillment_status="fulfilled")
    body = {"order": order["name"], "lines": [{"sku": "IPOD2008RED", "quantity": 1}], "return": True}
    answer = web.post("/api/replacements", json=body, headers=API_AUTH)
    assert answer.status_code == 202, answer.json

    assert wait_for_request(state, answer.json["request_id"])["status"] == "done"
    [refund] = [refund for refund in shop.state()["refunds"] if refund["order_id"] == order["id"]]
    assert [(line["restock_type"], line["quantity"]) for line in refund["line_items"]] == [("RETURN", 1)]
    assert refund["total"] == "0.00"


# two drafts of one request -----------------------------------------------------------------

SPARE_DRAFT = """mutation($input: DraftOrderInput!) { draftOrderCreate(input: $input) {
  draftOrder { id } userErrors { message } } }"""


def test_a_second_draft_carrying_the_request_id_is_deleted_and_counted(web, shop, state, workers, redis_server):
    # The create is applied, then its answer is lost; meanwhile a second draft of the request shows up.
    shop.faults({"field": "draftOrderCreate", "action": "apply_then_fail", "nth": 1, "hang": 3})
    tag_and_send(web, shop)
    wait_until(lambda: len(shop.drafts()) == 1, 30, message="the first draft")
    spare = {"lineItems": [{"variantId": "gid://shopify/ProductVariant/49148385", "quantity": 1}],
             "tags": ["replacement", "replacement-for-1001"],
             "customAttributes": [{"key": "Replacement request", "value": REQUEST}]}
    answer = requests.post(f"{shop.url}/admin/api/2026-04/graphql.json", headers={"X-Shopify-Access-Token": TOKEN},
                           json={"query": SPARE_DRAFT, "variables": {"input": spare}}, timeout=5).json()
    assert answer["data"]["draftOrderCreate"]["userErrors"] == [], answer

    assert_one_replacement_never_failed(shop, state)

    assert [call["operation"] for call in shop.calls() if call["operation"] == "DraftOrderDelete"] == [
        "DraftOrderDelete"]
    kept, = shop.drafts()
    assert kept["id"] != int(answer["data"]["draftOrderCreate"]["draftOrder"]["id"].rsplit("/", 1)[-1])
    deleted = [e["detail"] for e in state.journal_entries(REQUEST) if e["event"] == "duplicate_draft_deleted"]
    assert deleted == [{"draft": answer["data"]["draftOrderCreate"]["draftOrder"]["id"],
                        "kept": f"gid://shopify/DraftOrder/{kept['id']}"}]
    assert f'replacement_duplicate_drafts_deleted_total{{shop="{SHOP}"}} 1.0' in render(redis_server.client()).decode()
