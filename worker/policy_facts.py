"""Reading from Shopify what the replacement policy decides on (see replacements/policy.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.settings import Settings
from replacements.planner import Plan
from replacements.policy import Facts
from shopify import documents as docs
from shopify.client import ShopifyClient

# Two points a variant: an order's hundred lines fit one query.
VARIANTS_PER_QUERY = 100


def gather(client: ShopifyClient, settings: Settings, order: dict, plan: Plan, now: datetime) -> Facts:
    return Facts(earlier_replacements=earlier_replacements(client, settings, order, now),
                 available=available_to_ship(client, plan, order))


def earlier_replacements(client: ShopifyClient, settings: Settings, order: dict, now: datetime) -> int | None:
    """Replacement orders of the order's customer within REPLACEMENT_LIMIT_DAYS, counted in Shopify
    (so replacements made before this service's Redis was new count too); cancelled ones do not."""
    if settings.limit_per_customer is None or not order.get("customer"):
        return None
    customer = order["customer"]["id"].rsplit("/", 1)[-1]
    since = (now - timedelta(days=settings.limit_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"customer_id:{customer} tag:replacement -status:cancelled created_at:>='{since}'"
    return client.query(docs.REPLACEMENTS_OF_CUSTOMER, {"query": query})["ordersCount"]["count"]


def available_to_ship(client: ShopifyClient, plan: Plan, order: dict) -> dict[str, int | None]:
    """Units the online channels may sell per variant (Shopify sums the locations that fulfill
    online orders, so no Location field and no read_locations scope is needed); None when untracked.

    The order read carries each variant's sellable quantity; only a variant it shows short of
    the plan (or does not show) costs a second read, which tells whether its stock is tracked."""
    sellable = {line["variant"]["id"]: line["variant"].get("sellableOnlineQuantity")
                for line in order["lineItems"]["nodes"] if line.get("variant")}
    needed: dict[str, int] = {}
    for line in plan.lines:
        needed[line.variant_id] = needed.get(line.variant_id, 0) + line.quantity
    available: dict[str, int | None] = {}
    to_check = []
    for variant_id, quantity in needed.items():
        units = sellable.get(variant_id)
        if units is not None and units >= quantity:
            available[variant_id] = units
        else:
            to_check.append(variant_id)
    for start in range(0, len(to_check), VARIANTS_PER_QUERY):
        nodes = client.query(docs.VARIANT_STOCK, {"ids": to_check[start:start + VARIANTS_PER_QUERY]})["nodes"]
        for variant in filter(None, nodes):
            tracked = variant["inventoryItem"]["tracked"]
            available[variant["id"]] = variant["sellableOnlineQuantity"] if tracked else None
    return available
