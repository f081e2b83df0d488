"""What the recipe needs from the sandbox: payment transactions to refund to, refunds and
cancellations recorded as sent (money only when asked), and a second location to restock at."""

import requests

from sandbox.testing import sandbox_fixtures

SEED = "gid://shopify/Order/450789469"
RED_LINE = "gid://shopify/LineItem/518995019"
TRANSACTIONS = """query($id: ID!) { order(id: $id) { transactions(first: 5) {
    id kind status gateway amountSet { shopMoney { amount } } } totalRefundedShippingSet { shopMoney { amount } } } }"""
REFUND = """mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input) @idempotent(key: $key) {
    refund { id } userErrors { field message } } }"""
CANCEL = """mutation($id: ID!, $refund: OrderCancelRefundMethodInput) {
    orderCancel(orderId: $id, restock: true, reason: OTHER, staffNote: "Replaced by #D1", refundMethod: $refund) {
    orderCancelUserErrors { message } } }"""

sandbox_server, shop = sandbox_fixtures(cancel_job_seconds=0)


def paid_order(shop) -> dict:
    return shop.create_orders(count=1, shipping_lines=[{"title": "Express", "price": "12.50"}])[0]


def test_a_paid_order_has_its_sale_and_a_refund_points_at_it(shop):
    order = paid_order(shop)
    [sale] = shop.data(TRANSACTIONS, id=order["gid"])["order"]["transactions"]
    assert (sale["kind"], sale["status"], sale["gateway"], sale["amountSet"]["shopMoney"]["amount"]) == (
        "SALE", "SUCCESS", "manual", "609.5")  # 3 x 199.00 bought and 12.50 shipping
    refund_input = {"orderId": order["gid"], "shipping": {"amount": "12.50"}, "transactions": [
        {"orderId": order["gid"], "parentId": sale["id"], "gateway": "manual", "kind": "REFUND", "amount": "12.50"}]}

    assert shop.data(REFUND, input=refund_input, key="k1")["refundCreate"]["userErrors"] == []
    after = shop.data(TRANSACTIONS, id=order["gid"])["order"]
    assert [t["kind"] for t in after["transactions"]] == ["SALE", "REFUND"]
    assert after["totalRefundedShippingSet"]["shopMoney"]["amount"] == "12.5"
    [refund] = [r for r in shop.state()["refunds"] if r["order_id"] == order["id"]]
    assert (refund["shipping"], refund["total"], refund["line_items"]) == ("12.50", "12.50", [])


def test_a_refund_to_a_payment_the_order_never_had_is_refused(shop):
    order = paid_order(shop)
    refund_input = {"orderId": order["gid"], "transactions": [{"orderId": order["gid"], "kind": "REFUND",
                    "parentId": "gid://shopify/OrderTransaction/1", "gateway": "manual", "amount": "1.00"}]}

    errors = shop.data(REFUND, input=refund_input, key="k2")["refundCreate"]["userErrors"]

    assert errors == [{"field": ["transactions", "0", "parentId"], "message": "Parent transaction does not exist"}]


def test_cancel_keeps_the_money_unless_the_refund_method_asks_and_keeps_the_staff_note(shop):
    kept, refunded = paid_order(shop), paid_order(shop)

    assert shop.data(CANCEL, id=kept["gid"])["orderCancel"]["orderCancelUserErrors"] == []
    assert shop.data(CANCEL, id=refunded["gid"], refund={"originalPaymentMethodsRefund": True})[
        "orderCancel"]["orderCancelUserErrors"] == []
    orders = {o["id"]: o for o in shop.state()["orders"]}
    assert (orders[kept["id"]]["financial_status"], orders[kept["id"]]["totals"]["refunded"]) == ("PAID", "0.00")
    assert (orders[refunded["id"]]["financial_status"], orders[refunded["id"]]["totals"]["refunded"]) == (
        "REFUNDED", "609.50")
    assert orders[kept["id"]]["cancel_staff_note"] == "Replaced by #D1"


def test_a_second_location_takes_returned_units(shop, sandbox_server):
    answer = requests.post(f"{sandbox_server.url}/_sandbox/locations", json={"id": 2, "name": "Returns desk"},
                           timeout=5)
    assert answer.json() == {"id": 2, "gid": "gid://shopify/Location/2"}
    refund_input = {"orderId": SEED, "refundLineItems": [
        {"lineItemId": RED_LINE, "quantity": 1, "restockType": "RETURN", "locationId": "gid://shopify/Location/2"}]}

    assert shop.data(REFUND, input=refund_input, key="k3")["refundCreate"]["userErrors"] == []
    stock = {(row["sku"], row["location_id"]): (row["available"], row["committed"])
             for row in shop.state()["inventory"]}
    assert (stock[("IPOD2008RED", 2)], stock[("IPOD2008RED", 1)]) == ((1, 0), (50, 0))
    refund = shop.state()["refunds"][-1]
    assert refund["line_items"] == [{"line_item_id": 518995019, "quantity": 1, "restock_type": "RETURN",
                                     "location_id": 2}]
    again = requests.post(f"{sandbox_server.url}/_sandbox/locations", json={"id": 2}, timeout=5)
    assert (again.status_code, again.json()) == (422, {"error": "id must be an integer that no location has"})
