"""Reading from Shopify what the replacement policy decides on (see replacements/policy.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.settings import Settings
from replacements.planner import Plan
from replacements.policy import Facts
from shopify import documents as docs
from shopify.client import ShopifyClient

# Ten levels of each of twenty variants keep one stock query well under Shopify's 1000 points.
VARIANTS_PER_QUERY = 20


def gather(client: ShopifyClient, settings: Settings, order: dict, plan: Plan, now: datetime) -> Facts:
    return Facts(earlier_replacements=earlier_replacements(client, settings, order, now),
                 available=available_to_ship(client, [line.variant_id for line in plan.lines]))


def earlier_replacements(client: ShopifyClient, settings: Settings, order: dict, now: datetime) -> int | None:
    """Replacement orders of the order's customer within REPLACEMENT_LIMIT_DAYS, counted in Shopify
    (so replacements made before this service's Redis was new count too); cancelled ones do not."""
    if settings.limit_per_customer is None or not order.get("customer"):
        return None
    customer = order["customer"]["id"].rsplit("/", 1)[-1]
    since = (now - timedelta(days=settings.limit_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"customer_id:{customer} tag:replacement -status:cancelled created_at:>='{since}'"
    return client.query(docs.REPLACEMENTS_OF_CUSTOMER, {"query": query})["ordersCount"]["count"]


def available_to_ship(client: ShopifyClient, variant_ids: list[str]) -> dict[str, int | None]:
    """Units available per variant at active locations that fulfill online orders; None when untracked."""
    ids = list(dict.fromkeys(variant_ids))
    available: dict[str, int | None] = {}
    for start in range(0, len(ids), VARIANTS_PER_QUERY):
        nodes = client.query(docs.VARIANT_STOCK, {"ids": ids[start:start + VARIANTS_PER_QUERY]})["nodes"]
        for variant in filter(None, nodes):
            item = variant["inventoryItem"]
            if not item["tracked"]:
                available[variant["id"]] = None
                continue
            available[variant["id"]] = sum(
                quantity["quantity"]
                for level in item["inventoryLevels"]["nodes"]
                if level["location"]["isActive"] and level["location"]["fulfillsOnlineOrders"]
                for quantity in level["quantities"]
            )
    return available
