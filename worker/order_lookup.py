"""Finding and reading the original order: by id, by name as merchants write it, or by the
customer's email; and why an order may read as missing."""

from __future__ import annotations

import re

from core.errors import PermanentFailure
from shopify import documents as docs
from shopify.client import ShopifyClient

PLAIN_SEARCH_VALUE = re.compile(r"^#?[A-Za-z0-9_-]+$")


def read_order(client: ShopifyClient, order_id: str, shipping_line: bool = False) -> dict | None:
    """The order as the planner reads it; `shipping_line`: with the original's shipping method
    (a point more, read only when a recipe ships by it)."""
    order = client.query(docs.ORDER_FOR_REPLACEMENT, {"id": order_id, "withShippingLine": shipping_line})["order"]
    if order:
        _add_subscription_products(client, order["lineItems"]["nodes"])
    return order


def _add_subscription_products(client: ShopifyClient, lines: list[dict]) -> None:
    """Whether the product of each line bought on a selling plan is sold on subscription only
    (`variant.product.requiresSellingPlan`): two points a line, paid only for those lines."""
    bought_on_plan = [line["variant"] for line in lines if line.get("sellingPlan") and line.get("variant")]
    if not bought_on_plan:
        return
    ids = list(dict.fromkeys(variant["id"] for variant in bought_on_plan))
    products = {node["id"]: node["product"]
                for node in client.query(docs.SUBSCRIPTION_PRODUCTS, {"ids": ids})["nodes"] if node}
    for variant in bought_on_plan:
        variant["product"] = products.get(variant["id"])


def order_exists(client: ShopifyClient, order_id: str) -> bool:
    return client.query(docs.ORDER_EXISTS, {"id": order_id})["order"] is not None


def resolve_order(client: ShopifyClient, request: dict) -> str:
    """The order's gid from the request's reference as merchants write it (gid, id, `#1001`,
    `1001`, `EN1001`, `1001-A`, any case), else the customer's latest order when only an email is given."""
    reference = str(request.get("order") or "").strip()
    if not reference and request.get("email"):
        return latest_order_of(client, request["email"])
    if reference.startswith("gid://shopify/Order/"):
        return reference
    if reference.isdigit():
        gid = f"gid://shopify/Order/{reference}"
        if order_exists(client, gid):
            return gid
    if reference.lstrip("#"):
        found = find_by_name(client, reference)
        if found is None and reference.lstrip("#").isdigit():
            found = _find_by_number(client, reference.lstrip("#"))
        if found:
            return found
    raise PermanentFailure(f"order {reference or '(none given)'} not found")


def find_by_name(client: ShopifyClient, reference: str) -> str | None:
    """Names are free-form and not unique: the search may find several orders, or near misses,
    so the names found are compared with the reference (regardless of case and a leading `#`)."""
    name = f"#{reference}" if reference.isdigit() else reference
    nodes = client.query(docs.FIND_ORDER_BY_NAME, {"query": f"name:{_search_value(name)}"})["orders"]["nodes"]
    exact = [node for node in nodes if _same_name(node["name"], reference)]
    if len(exact) > 1:
        raise PermanentFailure(f"order {reference} is ambiguous: {len(exact)} orders carry that name")
    return exact[0]["id"] if exact else None


def _find_by_number(client: ShopifyClient, number: str) -> str | None:
    """A bare number in a shop whose names carry a prefix or suffix: 1001 is EN1001 there."""
    shop = client.query(docs.ORDER_NAME_FORMAT)["shop"]
    name = f"{shop['orderNumberFormatPrefix']}{number}{shop['orderNumberFormatSuffix']}"
    return None if _same_name(name, number) else find_by_name(client, name)


def _same_name(a: str, b: str) -> bool:
    return a.strip().lstrip("#").casefold() == b.strip().lstrip("#").casefold()


def _search_value(value: str) -> str:
    """As written when Shopify's search syntax takes it so, else quoted."""
    if PLAIN_SEARCH_VALUE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def not_found_reason(client: ShopifyClient, reference: str | None) -> str:
    """Without read_all_orders Shopify answers null for an order older than 60 days."""
    installation = client.query(docs.ACCESS_SCOPES)["currentAppInstallation"]
    if any(scope["handle"] == "read_all_orders" for scope in installation["accessScopes"]):
        return f"order {reference} not found"
    return (f"order {reference} not found (or older than 60 days: reading those needs the read_all_orders "
            f"scope, which the app lacks)")


def latest_order_of(client: ShopifyClient, email: str) -> str:
    """The customer's most recent order that this service did not create."""
    query = f'email:"{email}" -tag:replacement'
    nodes = client.query(docs.LATEST_ORDER_BY_EMAIL, {"query": query})["orders"]["nodes"]
    if not nodes or (nodes[0]["email"] or "").lower() != email.lower():
        raise PermanentFailure("no order found for the customer's email")
    return nodes[0]["id"]
