"""What the policy is told: the count query sent to Shopify, and stock summed over the locations
a replacement can leave from. Shopify's answers are canned here; the sandbox has one location."""

from datetime import UTC, datetime

from replacements.planner import plan_replacement
from shopify import documents as docs
from tests.canned_shopify import CannedShopify
from tests.conftest import make_settings
from tests.payloads import graphql_order
from worker.policy_facts import available_to_ship, earlier_replacements, gather

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RED = "gid://shopify/ProductVariant/49148385"


def level(available: int, active: bool = True, online: bool = True) -> dict:
    return {"quantities": [{"quantity": available}],
            "location": {"isActive": active, "fulfillsOnlineOrders": online}}


def stock_answer(*levels: dict, tracked: bool = True) -> dict:
    return {"nodes": [{"id": RED, "inventoryItem": {"tracked": tracked, "inventoryLevels": {"nodes": list(levels)}}}]}


def test_earlier_replacements_are_counted_in_shopify_within_the_window():
    client = CannedShopify({docs.REPLACEMENTS_OF_CUSTOMER: {"ordersCount": {"count": 3}}})
    settings = make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="2", REPLACEMENT_LIMIT_DAYS="30")

    assert earlier_replacements(client, settings, graphql_order(), NOW) == 3
    assert client.sent == [(docs.REPLACEMENTS_OF_CUSTOMER, {
        "query": "customer_id:207119551 tag:replacement -status:cancelled created_at:>='2026-10-27T10:00:00Z'"})]


def test_no_limit_or_no_customer_counts_nothing():
    client = CannedShopify({})
    assert earlier_replacements(client, make_settings(), graphql_order(), NOW) is None
    limited = make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="2")
    assert earlier_replacements(client, limited, graphql_order(customer=None), NOW) is None
    assert client.sent == []


def test_stock_counts_only_active_locations_that_fulfill_online_orders():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(level(2), level(5, active=False), level(7, online=False),
                                                             level(-1))})
    assert available_to_ship(client, [RED, RED]) == {RED: 1}
    assert client.sent == [(docs.VARIANT_STOCK, {"ids": [RED]})]


def test_untracked_variants_have_no_limit():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(tracked=False)})
    assert available_to_ship(client, [RED]) == {RED: None}


def test_gather_reads_both_facts_for_the_plan():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(level(4)),
                            docs.REPLACEMENTS_OF_CUSTOMER: {"ordersCount": {"count": 0}}})
    plan = plan_replacement(graphql_order(), {"request_id": "api-1", "source": "api"})
    facts = gather(client, make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="1"), graphql_order(), plan, NOW)
    assert (facts.earlier_replacements, dict(facts.available)) == (0, {RED: 4})
