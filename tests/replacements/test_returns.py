"""A return restocked on the original: RETURN for units that were fulfilled, CANCEL for units
that never left (Shopify's RefundLineItemRestockType), a zero-value refund either way."""

import pytest

from replacements.recipe import return_refund
from tests.payloads import graphql_order

ORDER = "gid://shopify/Order/450789469"
RED_LINE = "gid://shopify/LineItem/518995019"
REQUEST = {"request_id": "admin-450789469-1", "source": "admin_tag", "source_label": "admin tag"}


def order_holding(current: int, unfulfilled: int) -> dict:
    """#1001 with `current` units of IPOD2008RED, `unfulfilled` of them not yet shipped."""
    order = graphql_order()
    for line in order["lineItems"]["nodes"]:
        line["unfulfilledQuantity"] = 0
    red = next(line for line in order["lineItems"]["nodes"] if line["id"] == RED_LINE)
    red.update(quantity=max(current, red["quantity"]), currentQuantity=current, unfulfilledQuantity=unfulfilled)
    return order


def restock(order: dict, quantity: int, location: str | None = "gid://shopify/Location/2"):
    return return_refund(order, {**REQUEST, "lines": [{"sku": "IPOD2008RED", "quantity": quantity}]}, location)


def test_a_fulfilled_unit_comes_back_as_a_return_for_nothing():
    refund = restock(order_holding(current=1, unfulfilled=0), 1)

    assert refund.input == {
        "orderId": ORDER, "note": "Restocked with request admin-450789469-1", "notify": False,
        "refundLineItems": [{"lineItemId": RED_LINE, "quantity": 1, "restockType": "RETURN",
                             "locationId": "gid://shopify/Location/2"}],
    }
    assert "transactions" not in refund.input and "shipping" not in refund.input
    assert refund.summary == "restock IPOD2008RED x 1 (return) at gid://shopify/Location/2"


def test_a_unit_that_never_left_is_restocked_as_cancelled():
    refund = restock(order_holding(current=1, unfulfilled=1), 1, location=None)

    assert refund.input["refundLineItems"] == [{"lineItemId": RED_LINE, "quantity": 1, "restockType": "CANCEL"}]
    assert refund.summary == "restock IPOD2008RED x 1 (cancel) at the default location"


@pytest.mark.parametrize("quantity, unfulfilled, split", [
    (3, 1, [("RETURN", 2), ("CANCEL", 1)]),  # the fulfilled units are the ones sent back
    (2, 1, [("RETURN", 2)]),
    (3, 3, [("CANCEL", 3)]),
    (1, 0, [("RETURN", 1)]),
])
def test_a_partly_fulfilled_line_is_split_fulfilled_units_first(quantity, unfulfilled, split):
    refund = restock(order_holding(current=3, unfulfilled=unfulfilled), quantity)

    assert [(line["restockType"], line["quantity"]) for line in refund.input["refundLineItems"]] == split
    assert {line["lineItemId"] for line in refund.input["refundLineItems"]} == {RED_LINE}
