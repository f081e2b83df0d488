"""refundCreate: units leave the order, stock comes back as the restock type says, money as the transactions say."""

from __future__ import annotations

from sandbox import events, inventory
from sandbox.dates import now
from sandbox.errors import not_implemented, user_error
from sandbox.ids import legacy_id
from sandbox.money import ZERO, to_money
from sandbox.orders import find
from sandbox.store import Store
from sandbox.transactions import sale_id

RESTOCKING = {"RETURN", "CANCEL"}


def _unit_paid(line: dict) -> object:
    return to_money((line["price"] * line["quantity"] - line["discount"]) / line["quantity"])


def create_refund(store: Store, data: dict) -> tuple[dict | None, list[dict]]:
    for key in ("refundDuties", "refundMethods"):
        if data.get(key):
            raise not_implemented(f"RefundInput.{key}")
    order = find(store, data["orderId"])
    if order is None:
        return None, [user_error(["orderId"], "Order does not exist")]
    lines_by_id = {line["id"]: line for line in order["line_items"]}
    errors: list[dict] = []
    refund_lines = []
    for index, entry in enumerate(data.get("refundLineItems") or []):
        field = ["refundLineItems", str(index)]
        line = lines_by_id.get(legacy_id(entry["lineItemId"], "LineItem") or 0)
        restock_type = entry.get("restockType") or "NO_RESTOCK"
        if line is None:
            errors.append(user_error([*field, "lineItemId"], "Line item does not exist on this order"))
        elif entry["quantity"] < 1 or entry["quantity"] > line["current_quantity"]:
            errors.append(user_error([*field, "quantity"], "Quantity cannot refund more items than were purchased"))
        elif restock_type == "LEGACY_RESTOCK":
            errors.append(user_error([*field, "restockType"], "Restock type LEGACY_RESTOCK is no longer accepted"))
        else:
            location_id = legacy_id(entry.get("locationId") or "", "Location")
            if restock_type in RESTOCKING and line["variant_id"] is not None and location_id is None:
                item_id = store.variants[line["variant_id"]]["inventory_item_id"]
                location_id = inventory.stocking_location(store, item_id)
            refund_lines.append({
                "id": store.next_id(), "line_item_id": line["id"], "quantity": entry["quantity"],
                "restock_type": restock_type, "location_id": location_id if restock_type in RESTOCKING else None,
                "subtotal": _unit_paid(line) * entry["quantity"], "total_tax": ZERO,
            })
    shipping = ZERO
    if data.get("shipping"):
        shipping_input = data["shipping"]
        shipping = order["totals"]["shipping"] if shipping_input.get("fullRefund") \
            else to_money(shipping_input.get("amount") or "0")
    for index, transaction in enumerate(data.get("transactions") or []):
        parent = transaction.get("parentId")
        if parent is not None and legacy_id(parent, "OrderTransaction") != sale_id(order):
            errors.append(user_error(["transactions", str(index), "parentId"], "Parent transaction does not exist"))
    money = sum((to_money(t["amount"]) for t in data.get("transactions") or []), ZERO)
    if money > order["totals"]["total"] - order["totals"]["refunded"] and not data.get("allowOverRefunding"):
        errors.append(user_error(["transactions"], "Refund amount exceeds the amount that can be refunded"))
    if errors:
        return None, errors

    moment = now()
    refund = {
        "id": store.next_id(), "order_id": order["id"], "note": data.get("note"), "created_at": moment,
        "processed_at": moment, "line_items": refund_lines, "shipping": shipping, "total": money,
        "transaction_id": store.next_id() if money > 0 else None, "rest_base": None,
    }
    _apply(store, order, refund)
    store.refunds[refund["id"]] = refund
    order["refund_ids"].append(refund["id"])
    order["updated_at"] = moment
    events.refund_created(store, refund, order)
    return refund, []


def _apply(store: Store, order: dict, refund: dict) -> None:
    lines_by_id = {line["id"]: line for line in order["line_items"]}
    totals = order["totals"]
    for entry in refund["line_items"]:
        line = lines_by_id[entry["line_item_id"]]
        unfulfilled_before = line["current_quantity"] - line["fulfilled_quantity"]
        line["current_quantity"] -= entry["quantity"]
        totals["current_subtotal"] -= entry["subtotal"]
        totals["current_total"] -= entry["subtotal"]
        if entry["location_id"] is not None:
            item_id = store.variants[line["variant_id"]]["inventory_item_id"]
            uncommit = entry["restock_type"] == "CANCEL" and unfulfilled_before > 0
            inventory.restock(store, item_id, entry["location_id"], entry["quantity"], uncommit=uncommit)
    totals["current_total"] -= refund["shipping"]
    totals["refunded"] += refund["total"]
    if refund["total"] > 0:
        fully = totals["refunded"] >= totals["total"] - totals["outstanding"]
        order["financial_status"] = "REFUNDED" if fully else "PARTIALLY_REFUNDED"
