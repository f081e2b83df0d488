"""How the worker finds the order a ticket means: by reference, else the customer's latest order."""

import pytest

from core.errors import PermanentFailure
from shopify import documents as docs
from worker.order_lookup import resolve_order


class Shopify:
    """Answers the three reads order resolution makes, and records the searches."""

    def __init__(self, orders_by_id=(), named=(), latest=()):
        self.orders_by_id = set(orders_by_id)
        self.named = list(named)
        self.latest = list(latest)
        self.searches = []

    def query(self, document: str, variables: dict) -> dict:
        if document == docs.ORDER_FOR_REPLACEMENT:
            return {"order": {"id": variables["id"]} if variables["id"] in self.orders_by_id else None}
        self.searches.append(variables["query"])
        nodes = self.named if document == docs.FIND_ORDER_BY_NAME else self.latest
        return {"orders": {"nodes": nodes}}


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
