"""What the policy is told: the count query sent to Shopify, and the stock the online channels
may sell (Shopify sums the locations that fulfill online orders). Shopify's answers are canned here."""

from datetime import UTC, datetime

from replacements.planner import plan_replacement
from shopify import documents as docs
from tests.canned_shopify import CannedShopify
from tests.conftest import make_settings
from tests.payloads import graphql_order
from worker.policy_facts import available_to_ship, earlier_replacements, gather

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RED = "gid://shopify/ProductVariant/49148385"


def stock_answer(sellable: int = 0, tracked: bool = True) -> dict:
    return {"nodes": [{"id": RED, "sellableOnlineQuantity": sellable, "inventoryItem": {"tracked": tracked}}]}


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


def order_with_stock(sellable: int | None) -> dict:
    order = graphql_order()
    for line in order["lineItems"]["nodes"]:
        line["variant"]["sellableOnlineQuantity"] = sellable
    return order


def plan_of(order: dict, quantity: int = 1):
    return plan_replacement(order, {"request_id": "api-1", "source": "api",
                                    "lines": [{"variant_id": RED, "quantity": quantity}]})


def test_stock_the_order_read_shows_enough_of_costs_no_second_read():
    client = CannedShopify({})
    order = order_with_stock(3)
    assert available_to_ship(client, plan_of(order), order) == {RED: 3}
    assert client.sent == []


def test_stock_short_in_the_order_read_is_read_again_with_whether_it_is_tracked():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(0)})
    order = order_with_stock(0)
    assert available_to_ship(client, plan_of(order), order) == {RED: 0}
    assert client.sent == [(docs.VARIANT_STOCK, {"ids": [RED]})]
    # Every Location field but `id` needs read_locations: the stock queries read none.
    assert "location" not in docs.VARIANT_STOCK.lower()
    assert "location" not in docs.ORDER_FOR_REPLACEMENT.lower()


def test_stock_the_order_read_does_not_show_is_read():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(3)})
    order = graphql_order()
    assert available_to_ship(client, plan_of(order), order) == {RED: 3}
    assert client.sent == [(docs.VARIANT_STOCK, {"ids": [RED]})]


def test_an_orders_hundred_short_variants_take_one_query():
    order = graphql_order()
    template = order["lineItems"]["nodes"][1]
    order["lineItems"]["nodes"] = [
        {**template, "id": f"gid://shopify/LineItem/{n}", "sku": f"SKU-{n}",
         "variant": {"id": f"gid://shopify/ProductVariant/{n}", "sellableOnlineQuantity": 0}}
        for n in range(100)]
    client = CannedShopify({docs.VARIANT_STOCK: {"nodes": []}})
    available_to_ship(client, plan_replacement(order, {"request_id": "api-1", "source": "api"}), order)
    assert [len(variables["ids"]) for _, variables in client.sent] == [100]


def test_untracked_variants_have_no_limit():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(tracked=False)})
    order = order_with_stock(0)
    assert available_to_ship(client, plan_of(order), order) == {RED: None}


def test_gather_reads_both_facts_for_the_plan():
    client = CannedShopify({docs.VARIANT_STOCK: stock_answer(4),
                            docs.REPLACEMENTS_OF_CUSTOMER: {"ordersCount": {"count": 0}}})
    plan = plan_replacement(graphql_order(), {"request_id": "api-1", "source": "api"})
    facts = gather(client, make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="1"), graphql_order(), plan, NOW)
    assert (facts.earlier_replacements, dict(facts.available)) == (0, {RED: 4})
