"""Customers."""

from __future__ import annotations

from sandbox.dates import graphql_datetime
from sandbox.ids import gid
from sandbox.money import ZERO
from sandbox.pagination import connection
from sandbox.store import Store
from sandbox.views import orders as order_views
from sandbox.views.common import address, money


def customer_view(store: Store, customer: dict) -> dict:
    def own_orders() -> list[dict]:
        return [order for order in store.orders.values() if order["customer_id"] == customer["id"]]

    def display_name() -> str:
        name = " ".join(part for part in (customer["first_name"], customer["last_name"]) if part)
        return name or customer["email"] or customer["phone"] or ""

    def last_order() -> dict | None:
        placed = own_orders()
        return order_views.order_view(store, max(placed, key=lambda o: o["created_at"])) if placed else None

    return {
        "__typename": "Customer",
        "id": gid("Customer", customer["id"]), "legacyResourceId": str(customer["id"]),
        "firstName": customer["first_name"], "lastName": customer["last_name"], "displayName": display_name(),
        "email": customer["email"], "phone": customer["phone"], "note": customer["note"],
        "state": customer["state"], "tags": list(customer["tags"]), "verifiedEmail": customer["verified_email"],
        "taxExempt": customer["tax_exempt"], "taxExemptions": [], "multipassIdentifier": None, "locale": "en",
        "canDelete": False, "dataSaleOptOut": False,
        "createdAt": graphql_datetime(customer["created_at"]), "updatedAt": graphql_datetime(customer["updated_at"]),
        "defaultAddress": address(customer["default_address"]),
        "addressesV2": lambda info, **args: connection(
            info, [customer["default_address"]], address, sort_key=lambda a: [a["id"]], **args
        ),
        "numberOfOrders": lambda _: str(len(own_orders())),
        "amountSpent": lambda _: money(
            sum((o["totals"]["current_total"] for o in own_orders() if o["cancelled_at"] is None), ZERO),
            store.shop["currency"],
        ),
        "lastOrder": lambda _: last_order(),
        "orders": lambda info, **args: order_views.orders_connection(store, info, own_orders(), **args),
    }
