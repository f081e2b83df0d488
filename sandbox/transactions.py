"""An order's payment transactions, derived from its money: one sale for what was received and
one refund per refund that moved money. Enough to refund to the payment it came from."""

from __future__ import annotations

from sandbox.money import ZERO
from sandbox.store import Store


def sale_id(order: dict) -> int:
    # Derived from the order, so it stays the same across reads without a record of its own.
    return order["id"]


def order_transactions(store: Store, order: dict) -> list[dict]:
    totals = order["totals"]
    received = totals["total"] - totals["outstanding"]
    if received <= ZERO:
        return []
    gateway = (order["payment_gateway_names"] or ["manual"])[0]
    sale = {"id": sale_id(order), "kind": "SALE", "status": "SUCCESS", "gateway": gateway, "amount": received,
            "parent_id": None, "created_at": order["processed_at"]}
    refunds = [store.refunds[refund_id] for refund_id in order["refund_ids"]]
    return [sale] + [
        {"id": refund.get("transaction_id") or refund["id"], "kind": "REFUND", "status": "SUCCESS", "gateway": gateway,
         "amount": refund["total"], "parent_id": sale["id"], "created_at": refund["processed_at"]}
        for refund in refunds if refund["total"] > ZERO
    ]
