"""Finding and reading the original order: by id, by name as merchants write it, or by the
customer's email; and why an order may read as missing."""

from __future__ import annotations

from core.errors import PermanentFailure
from shopify import documents as docs
from shopify.client import ShopifyClient


def read_order(client: ShopifyClient, order_id: str) -> dict | None:
    return client.query(docs.ORDER_FOR_REPLACEMENT, {"id": order_id})["order"]


def resolve_order(client: ShopifyClient, request: dict) -> str:
    """The order's gid from the request's reference (gid, id, `#1001`, `1001`), else the
    customer's latest order when only an email is given."""
    reference = str(request.get("order") or "").strip()
    if not reference and request.get("email"):
        return latest_order_of(client, request["email"])
    if reference.startswith("gid://shopify/Order/"):
        return reference
    if reference.isdigit():
        gid = f"gid://shopify/Order/{reference}"
        if read_order(client, gid):
            return gid
    if reference.lstrip("#").isdigit():
        name = "#" + reference.lstrip("#")
        nodes = client.query(docs.FIND_ORDER_BY_NAME, {"query": f"name:{name}"})["orders"]["nodes"]
        exact = [node for node in nodes if node["name"] == name]
        if len(exact) > 1:
            raise PermanentFailure(f"order {name} is ambiguous: {len(exact)} orders carry that name")
        if exact:
            return exact[0]["id"]
    raise PermanentFailure(f"order {reference or '(none given)'} not found")


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
