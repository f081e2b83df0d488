"""The replacement policy end to end: each rule just below and just above its threshold, stock
in both OUT_OF_STOCK modes, and a cancelled original whose replacement waits as a draft.

Each setting needs its own worker processes: every variant of the service below runs with its
own Redis and workers (`own_service`), so neither the session's workers nor another variant take
its tasks."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from devtools.processes import wait_until
from tests.integration.conftest import ORDER_ID, Service, wait_for_request
from tests.integration.served import API_AUTH, deliver_webhooks_to, serving, wait_for_webhooks

RED = 49148385
CUSTOMER = 207119551


@pytest.fixture(scope="module")
def rules_service(own_service):
    with own_service("rules", REPLACEMENT_MAX_VALUE="200.00", REPLACEMENT_LIMIT_PER_CUSTOMER="2",
                     REPLACEMENT_LIMIT_DAYS="30") as service:
        yield service


@pytest.fixture(scope="module")
def backorders_service(own_service):
    with own_service("backorders", OUT_OF_STOCK="draft") as service:
        yield service


@pytest.fixture(scope="module")
def approvals_service(own_service):
    with own_service("approvals", REPLACEMENT_MODE="draft", RESERVE_HOURS="24") as service:
        yield service


@pytest.fixture
def rules(rules_service):
    rules_service.clean()
    return rules_service


@pytest.fixture
def backorders(backorders_service):
    backorders_service.clean()
    return backorders_service


@pytest.fixture
def approvals(approvals_service):
    approvals_service.clean()
    return approvals_service


def replace(variant: Service, order: str) -> dict:
    response = variant.web().post("/api/replacements", headers=API_AUTH, json={"order": order})
    assert response.status_code == 202
    return wait_for_request(variant.state, response.json["request_id"])


# A replacement is never made without an address to ship it to.
ADDRESS = {"first_name": "Bob", "last_name": "Norman", "address1": "Chestnut Street 92", "city": "Louisville",
           "province_code": "KY", "country_code": "US", "zip": "40202"}


def new_order(shop, **spec) -> str:
    spec = {"customer_id": CUSTOMER, "email": "bob.norman@mail.example.com",
            "line_items": [{"variant_id": RED, "quantity": 1}], "shipping_address": ADDRESS, **spec}
    return requests.post(f"{shop.url}/_sandbox/orders", json=spec, timeout=5).json()["orders"][0]["name"]


def set_stock(shop, available: int) -> None:
    requests.post(f"{shop.url}/_sandbox/inventory", json={"variant_id": RED, "available": available},
                  timeout=5).raise_for_status()


def assert_completed(shop, record):
    assert (record["status"], record["hold"]) == ("done", "0"), record
    [replacement] = shop.replacements()
    assert replacement["tags"][0] == "replacement"
    return replacement


def assert_held(shop, record, tag):
    assert (record["status"], record["hold"]) == ("done", "1"), record
    assert shop.replacements() == []
    [draft] = shop.drafts()
    assert draft["status"] == "OPEN"
    assert tag in draft["tags"]
    return draft


# REPLACEMENT_MAX_VALUE ----------------------------------------------------------------------

def test_at_the_max_value_the_replacement_is_completed(shop, rules):
    record = replace(rules, new_order(shop, line_items=[{"variant_id": RED, "quantity": 2, "price": "100.00"}]))
    assert_completed(shop, record)


def test_a_cent_above_the_max_value_the_replacement_waits_for_review(shop, rules):
    record = replace(rules, new_order(shop, line_items=[{"variant_id": RED, "quantity": 1, "price": "200.01"}]))

    assert_held(shop, record, "replacement-review")
    assert record["held_because"] == "retail value 200.01 USD is above REPLACEMENT_MAX_VALUE 200.00"


# REPLACEMENT_LIMIT_PER_CUSTOMER within REPLACEMENT_LIMIT_DAYS --------------------------------

def earlier_replacements(shop, recent: int) -> None:
    """`recent` replacement orders of the customer within 30 days, plus two that do not count:
    one 31 days old and one cancelled."""
    now = datetime.now(UTC)
    for days in [29] * recent + [31]:
        new_order(shop, tags=["replacement", "replacement-for-900"],
                  created_at=(now - timedelta(days=days)).isoformat())
    new_order(shop, tags=["replacement", "replacement-for-901"], cancelled=True)


def test_one_replacement_below_the_limit_the_next_is_completed(shop, rules):
    earlier_replacements(shop, recent=1)
    record = replace(rules, "#1001")

    assert record["status"] == "done" and record["hold"] == "0", record
    assert [r["name"] for r in shop.replacements() if "replacement-for-1001" in r["tags"]]


def test_at_the_limit_the_next_replacement_waits_for_review(shop, rules):
    earlier_replacements(shop, recent=2)
    record = replace(rules, "#1001")

    assert record["hold"] == "1", record
    [draft] = [d for d in shop.drafts() if "replacement-for-1001" in d["tags"]]
    assert draft["status"] == "OPEN" and "replacement-review" in draft["tags"]
    assert record["held_because"] == (
        "the customer had 2 replacement(s) in 30 days; REPLACEMENT_LIMIT_PER_CUSTOMER is 2")


# stock: OUT_OF_STOCK=fail (default) and draft --------------------------------------------

def test_with_the_last_unit_in_stock_the_replacement_is_completed(shop, rules):
    set_stock(shop, 1)
    assert_completed(shop, replace(rules, "#1001"))


def test_out_of_stock_fails_clearly(shop, rules):
    set_stock(shop, 0)

    record = replace(rules, "#1001")

    assert (record["status"], record["reason"]) == ("failed", "out of stock: SKU IPOD2008RED (needs 1, 0 available)")
    assert "replacement-failed" in shop.order("#1001")["tags"]
    assert shop.replacements() == [] and shop.drafts() == []


def test_out_of_stock_with_out_of_stock_draft_leaves_a_backorder_draft(shop, backorders):
    set_stock(shop, 0)

    record = replace(backorders, "#1001")

    draft = assert_held(shop, record, "replacement-backorder")
    assert draft["reserve_inventory_until"] is None
    assert "replacement-issued" in shop.order("#1001")["tags"]


def test_in_stock_with_out_of_stock_draft_is_completed(shop, backorders):
    set_stock(shop, 1)
    assert_completed(shop, replace(backorders, "#1001"))


# a cancelled original ----------------------------------------------------------------------

def test_cancelling_the_original_deletes_its_pending_draft_and_says_why(shop, approvals, service_env):
    with serving(approvals.env) as url:
        deliver_webhooks_to(shop.url, url, "orders/updated", "orders/cancelled")
        record = replace(approvals, "#1001")
        draft = assert_held(shop, record, "replacement-pending-approval")
        assert reserved(shop) == 1

        cancel_in_admin(shop, service_env)

        wait_for_webhooks(shop.url)
        request_id = record["request"]["request_id"]
        cancelled = wait_until(lambda: (r := approvals.state.get(request_id)) and r["status"] == "cancelled" and r,
                               30, message="the draft to be deleted")
    assert cancelled["reason"] == "original #1001 was cancelled"
    assert shop.drafts() == []
    assert reserved(shop) == 0
    [*_, last] = approvals.state.journal_entries(request_id)
    assert (last["event"], last["detail"]) == (
        "draft_deleted", {"draft": draft_gid(draft), "reason": "original #1001 was cancelled"})
    status = approvals.web().get(f"/api/replacements/{request_id}", headers=API_AUTH).json
    assert (status["status"], status["reason"]) == ("cancelled", "original #1001 was cancelled")

    again = approvals.web().post("/api/replacements", headers=API_AUTH, json={"order": "#1001", "reason": "again"})
    assert wait_for_request(approvals.state, again.json["request_id"])["reason"] == "order #1001 is cancelled"


def reserved(shop) -> int:
    return next(row["reserved"] for row in shop.state()["inventory"] if row["variant_id"] == RED)


def draft_gid(draft: dict) -> str:
    return f"gid://shopify/DraftOrder/{draft['id']}"


def cancel_in_admin(shop, service_env) -> None:
    cancel = f"""mutation {{ orderCancel(orderId: "gid://shopify/Order/{ORDER_ID}", restock: false, reason: CUSTOMER,
                 notifyCustomer: false) {{ orderCancelUserErrors {{ message }} }} }}"""
    answer = requests.post(f"{shop.url}/admin/api/2026-04/graphql.json", json={"query": cancel}, timeout=5,
                           headers={"X-Shopify-Access-Token": service_env["SHOPIFY_ACCESS_TOKEN"]}).json()
    assert answer["data"]["orderCancel"]["orderCancelUserErrors"] == []
