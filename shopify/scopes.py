"""The Admin API access scopes the service needs: the one list that `python -m ops.doctor`
checks, `shopify.app.toml` declares and the README's "Connect your shop" asks a merchant to
select. `tests/shopify/test_scopes.py` derives it from every document in shopify/documents.py,
and `tests/test_app_configuration.py` holds the three copies to it.
"""

from __future__ import annotations

from collections.abc import Iterable

# On Shopify a write scope grants its read scope, so read_orders and read_draft_orders are not listed.
REQUIRED = {
    "write_orders": "read, tag, refund and cancel orders; the orders/* and refunds/create webhooks",
    "write_draft_orders": "the replacement drafts",
    "read_products": "the replaced lines' variants",
    "read_inventory": "stock, unit costs",
    "read_locations": "RESTOCK_LOCATION_ID checked: every Location field but its id",
    "read_customers": "the order's customer",
}
# Orders older than 60 days read as missing without it; the doctor warns, replacements of recent orders work.
OPTIONAL = {"read_all_orders": "orders older than 60 days"}
# Protected customer data the app must be granted (Dev Dashboard, app version > protected customer data):
# the replacement ships to the original's address, to its customer's name and phone.
PROTECTED_CUSTOMER_FIELDS = ("name", "email", "phone", "address")


def effective(granted: Iterable[str]) -> set[str]:
    """The scopes a token holds, with the read scope each write scope grants."""
    granted = set(granted)
    return granted | {"read_" + scope.removeprefix("write_") for scope in granted if scope.startswith("write_")}


def missing(granted: Iterable[str]) -> list[str]:
    held = effective(granted)
    return [scope for scope in REQUIRED if scope not in held]
