"""`node(id:)` and `nodes(ids:)`: any record by its global id; null when nothing has that id."""

from __future__ import annotations

from sandbox.ids import parse_gid
from sandbox.store import Store
from sandbox.views import catalog, customers, drafts, orders, shop


def _line_item(store: Store, line_id: int) -> dict | None:
    for order in store.orders.values():
        for line in order["line_items"]:
            if line["id"] == line_id:
                return orders.line_item_view(store, order, line)
    return None


def _one(collection: str, view):
    def find(store: Store, legacy: int) -> dict | None:
        record = getattr(store, collection).get(legacy)
        return view(store, record) if record else None

    return find


FINDERS = {
    "Order": _one("orders", orders.order_view),
    "DraftOrder": _one("draft_orders", drafts.draft_view),
    "LineItem": _line_item,
    "Refund": _one("refunds", orders.refund_view),
    "Customer": _one("customers", customers.customer_view),
    "Product": _one("products", catalog.product_view),
    "ProductVariant": _one("variants", catalog.variant_view),
    "InventoryItem": _one("inventory_items", catalog.inventory_item_view),
    "Location": _one("locations", catalog.location_view),
    "WebhookSubscription": _one("webhook_subscriptions", lambda _store, sub: shop.webhook_subscription_view(sub)),
}


def node_view(store: Store, global_id: str) -> dict | None:
    kind, legacy = parse_gid(global_id)
    finder = FINDERS.get(kind)
    # A kind the sandbox does not model has no records, so null is Shopify's answer too.
    return finder(store, legacy) if finder else None
