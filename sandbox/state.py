"""The whole shop as plain JSON, for tests to assert on (`GET /_sandbox/state`). Money as "0.00" strings."""

from __future__ import annotations

from sandbox import inventory, jobs
from sandbox.dates import graphql_datetime
from sandbox.drafts import is_ready
from sandbox.ids import gid
from sandbox.money import rest_amount
from sandbox.store import Store


def _amounts(totals: dict) -> dict:
    return {key: rest_amount(value) for key, value in totals.items()}


def _discount(discount: dict | None) -> dict | None:
    if discount is None:
        return None
    return {"title": discount["title"], "description": discount["description"], "value": discount["value"],
            "value_type": discount["value_type"], "amount": rest_amount(discount["amount"])}


def plain_order(order: dict) -> dict:
    return {
        "id": order["id"], "gid": gid("Order", order["id"]), "name": order["name"], "email": order["email"],
        "phone": order["phone"], "note": order["note"], "tags": list(order["tags"]),
        "custom_attributes": [dict(a) for a in order["custom_attributes"]], "source_name": order["source_name"],
        "financial_status": order["financial_status"], "fulfillment_status": order["fulfillment_status"],
        "cancelled_at": graphql_datetime(order["cancelled_at"]), "cancel_reason": order["cancel_reason"],
        "cancel_staff_note": order.get("cancel_staff_note"),
        "created_at": graphql_datetime(order["created_at"]), "updated_at": graphql_datetime(order["updated_at"]),
        "customer_id": order["customer_id"], "draft_order_id": order["draft_order_id"],
        "shipping_address": order["shipping_address"], "billing_address": order["billing_address"],
        "shipping_lines": [{"title": line["title"], "price": rest_amount(line["price"])}
                           for line in order["shipping_lines"]],
        "line_items": [
            {"id": line["id"], "gid": gid("LineItem", line["id"]), "variant_id": line["variant_id"],
             "sku": line["sku"], "title": line["title"], "quantity": line["quantity"],
             "current_quantity": line["current_quantity"], "price": rest_amount(line["price"]),
             "discount": rest_amount(line["discount"]), "gift_card": line["gift_card"],
             "requires_shipping": line["requires_shipping"],
             "custom_attributes": [dict(a) for a in line["custom_attributes"]]}
            for line in order["line_items"]
        ],
        "discount_titles": [a["title"] for a in order["discount_applications"] if a["title"]],
        "refund_ids": list(order["refund_ids"]),
        "totals": _amounts(order["totals"]),
        "total_price": rest_amount(order["totals"]["total"]),
    }


def plain_draft(draft: dict) -> dict:
    return {
        "id": draft["id"], "gid": gid("DraftOrder", draft["id"]), "name": draft["name"], "status": draft["status"],
        "ready": is_ready(draft), "order_id": draft["order_id"], "email": draft["email"], "note": draft["note"],
        "tags": list(draft["tags"]), "custom_attributes": [dict(a) for a in draft["custom_attributes"]],
        "customer_id": draft["customer_id"], "shipping_address": draft["shipping_address"],
        "billing_address": draft["billing_address"],
        "shipping_line": {"title": draft["shipping_line"]["title"],
                          "price": rest_amount(draft["shipping_line"]["price"])} if draft["shipping_line"] else None,
        "applied_discount": _discount(draft["applied_discount"]),
        "line_items": [
            {"variant_id": line["variant_id"], "sku": line["sku"], "title": line["title"],
             "quantity": line["quantity"], "price": rest_amount(line["price"]),
             "discount": rest_amount(line["discount"]), "applied_discount": _discount(line["applied_discount"]),
             "custom_attributes": [dict(a) for a in line["custom_attributes"]]}
            for line in draft["line_items"]
        ],
        "reserve_inventory_until": graphql_datetime(draft["reserve_until"]),
        "accept_automatic_discounts": draft["accept_automatic_discounts"],
        "created_at": graphql_datetime(draft["created_at"]), "completed_at": graphql_datetime(draft["completed_at"]),
        "totals": _amounts(draft["totals"]),
        "total_price": rest_amount(draft["totals"]["total"]),
    }


def plain_refund(refund: dict) -> dict:
    return {
        "id": refund["id"], "gid": gid("Refund", refund["id"]), "order_id": refund["order_id"], "note": refund["note"],
        "shipping": rest_amount(refund["shipping"]), "total": rest_amount(refund["total"]),
        "line_items": [{"line_item_id": line["line_item_id"], "quantity": line["quantity"],
                        "restock_type": line["restock_type"], "location_id": line["location_id"]}
                       for line in refund["line_items"]],
    }


def snapshot(store: Store) -> dict:
    with store.lock:
        jobs.settle(store)
        stock = [
            {"variant_id": item["variant_id"], "sku": item["sku"], "inventory_item_id": item_id,
             "location_id": location_id, **inventory.quantities(store, item_id, location_id)}
            for (item_id, location_id) in store.levels
            for item in [store.inventory_items[item_id]]
        ]
        return {
            "shop": {"name": store.shop["name"], "domain": store.shop["domain"], "currency": store.shop["currency"]},
            "counts": {
                "orders": len(store.orders), "draft_orders": len(store.draft_orders), "refunds": len(store.refunds),
                "customers": len(store.customers), "variants": len(store.variants),
                "webhook_subscriptions": len(store.webhook_subscriptions),
            },
            "orders": [plain_order(order) for order in store.orders.values()],
            "draft_orders": [plain_draft(draft) for draft in store.draft_orders.values()],
            "refunds": [plain_refund(refund) for refund in store.refunds.values()],
            "inventory": stock,
            "webhook_subscriptions": [
                {"id": sub["id"], "topic": sub["topic"], "uri": sub["uri"], "filter": sub["filter"],
                 "include_fields": sub["include_fields"], "failures_in_a_row": sub.get("failures_in_a_row", 0)}
                for sub in store.webhook_subscriptions.values()
            ],
            "bucket": store.bucket.status(),
        }
