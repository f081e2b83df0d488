"""How the worker finds the order a ticket means: by reference, else the customer's latest order."""

import pytest

from core.errors import PermanentFailure
from shopify import documents as docs
from tests.canned_shopify import CannedShopify
from tests.payloads import graphql_order
from worker.order_lookup import read_order, resolve_order


class Shopify:
    """Answers the reads order resolution makes and records the searches. A name search finds
    `named` orders as the sandbox's does (regardless of case and a leading #), plus `near` misses."""

    def __init__(self, orders_by_id=(), named=(), latest=(), near=(), prefix="#", suffix=""):
        self.orders_by_id = set(orders_by_id)
        self.named = list(named)
        self.near = list(near)
        self.latest = list(latest)
        self.format = {"orderNumberFormatPrefix": prefix, "orderNumberFormatSuffix": suffix}
        self.searches = []

    def query(self, document: str, variables: dict | None = None) -> dict:
        if document == docs.ORDER_EXISTS:
            return {"order": {"id": variables["id"]} if variables["id"] in self.orders_by_id else None}
        if document == docs.ORDER_NAME_FORMAT:
            return {"shop": self.format}
        self.searches.append(variables["query"])
        if document == docs.FIND_ORDER_BY_NAME:
            wanted = variables["query"].removeprefix("name:").strip('"').lstrip("#").lower()
            return {"orders": {"nodes": [o for o in self.named if o["name"].lstrip("#").lower() == wanted]
                               + self.near}}
        return {"orders": {"nodes": self.latest}}


def resolve(shopify: Shopify, **request) -> str:
    return resolve_order(shopify, request)


def test_email_without_order_is_the_customers_latest_order_not_made_by_this_service():
    shopify = Shopify(latest=[{"id": "gid://shopify/Order/7", "email": "Bob@Example.com"}])
    assert resolve(shopify, email="bob@example.com") == "gid://shopify/Order/7"
    assert shopify.searches == ['email:"bob@example.com" -tag:replacement']


def test_email_with_no_order_fails_clearly():
    with pytest.raises(PermanentFailure, match="^no order found for the customer's email$"):
        resolve(Shopify(latest=[]), email="nobody@example.com")


def test_order_reference_wins_over_email():
    shopify = Shopify(named=[{"id": "gid://shopify/Order/1", "name": "#1001"}])
    assert resolve(shopify, order="1001", email="bob@example.com") == "gid://shopify/Order/1"
    assert shopify.searches == ["name:#1001"]


def test_a_name_two_orders_carry_is_ambiguous():
    shopify = Shopify(named=[{"id": "gid://shopify/Order/1", "name": "#1001"},
                             {"id": "gid://shopify/Order/2", "name": "#1001"}])
    with pytest.raises(PermanentFailure, match="^order #1001 is ambiguous: 2 orders carry that name$"):
        resolve(shopify, order="#1001")


def test_missing_order_fails_clearly():
    with pytest.raises(PermanentFailure, match="^order #9999 not found$"):
        resolve(Shopify(), order="#9999")


# names as merchants write them -------------------------------------------------------------

def order(legacy_id: int, name: str) -> dict:
    return {"id": f"gid://shopify/Order/{legacy_id}", "name": name}


@pytest.mark.parametrize("reference", ["EN1001", "en1001", "#EN1001", " En1001 "])
def test_a_name_with_a_prefix_in_any_case(reference):
    shopify = Shopify(named=[order(1, "EN1001")], prefix="EN")
    assert resolve(shopify, order=reference) == "gid://shopify/Order/1"
    assert shopify.searches == [f"name:{reference.strip()}"]


@pytest.mark.parametrize("reference", ["1001-A", "1001-a"])
def test_a_name_with_a_suffix(reference):
    assert resolve(Shopify(named=[order(1, "1001-A")]), order=reference) == "gid://shopify/Order/1"


def test_a_bare_number_in_a_shop_whose_names_carry_a_prefix_is_that_shops_name():
    shopify = Shopify(named=[order(1, "EN1001")], prefix="EN")
    assert resolve(shopify, order="1001") == "gid://shopify/Order/1"
    assert shopify.searches == ["name:#1001", "name:EN1001"]


def test_a_bare_number_in_a_shop_with_plain_names_is_searched_once():
    shopify = Shopify()
    with pytest.raises(PermanentFailure, match="^order 1001 not found$"):
        resolve(shopify, order="1001")
    assert shopify.searches == ["name:#1001"]


def test_near_misses_of_the_search_are_not_the_order():
    shopify = Shopify(named=[order(1, "1001-A")], near=[order(2, "1001-AB"), order(3, "#10010")])
    assert resolve(shopify, order="1001-A") == "gid://shopify/Order/1"


def test_a_name_that_needs_quoting_is_quoted():
    shopify = Shopify(named=[order(1, "EU 1001")])
    assert resolve(shopify, order="EU 1001") == "gid://shopify/Order/1"
    assert shopify.searches == ['name:"EU 1001"']


def test_the_order_read_asks_for_the_shipping_line_only_when_told():
    client = CannedShopify({docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order()}})
    read_order(client, "gid://shopify/Order/1")
    read_order(client, "gid://shopify/Order/1", shipping_line=True)
    assert [variables["withShippingLine"] for _, variables in client.sent] == [False, True]


def test_only_lines_bought_on_a_selling_plan_cost_a_read_of_their_product():
    plain = CannedShopify({docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order()}})
    assert read_order(plain, "gid://shopify/Order/1")["lineItems"]["nodes"][1]["variant"].get("product") is None
    assert [document for document, _ in plain.sent] == [docs.ORDER_FOR_REPLACEMENT]

    order = graphql_order()
    red = order["lineItems"]["nodes"][1]
    red["sellingPlan"] = {"sellingPlanId": "gid://shopify/SellingPlan/1"}
    subscribed = CannedShopify({
        docs.ORDER_FOR_REPLACEMENT: {"order": order},
        docs.SUBSCRIPTION_PRODUCTS: {"nodes": [{"id": red["variant"]["id"], "product": {"requiresSellingPlan": True}}]},
    })
    lines = read_order(subscribed, "gid://shopify/Order/1")["lineItems"]["nodes"]
    assert subscribed.sent[1] == (docs.SUBSCRIPTION_PRODUCTS, {"ids": [red["variant"]["id"]]})
    assert lines[1]["variant"]["product"] == {"requiresSellingPlan": True}
