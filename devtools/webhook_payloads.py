"""Shopify webhooks as Shopify sends them: its own sample orders (vendor/shopify/samples), signed
with the shop's secret. The sample webhook, the benchmarks and the tests send these."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from collections.abc import Iterable

from sandbox import vendored

SHOP = "example.myshopify.com"
SECRET = "shpss_test_secret"


def sample(name: str) -> dict:
    return copy.deepcopy(vendored.sample(name))


def tagged_order(*extra_tags: str) -> dict:
    """Order #1001's `orders/updated` body with these tags besides its own."""
    order = sample("order-tags-updated.rest-2026-07.json")
    order["tags"] = ", ".join(["External", *extra_tags])
    return order


def numbered_body(order: dict, number: int | str, fields: Iterable[str] | None = None) -> bytes:
    """`order`'s body as another change of another order, a body Shopify would send once (the
    service dedupes on the body): its `id`, `admin_graphql_api_id` and `updated_at` carry `number`;
    with `fields`, only those (what a subscription with `includeFields` sends). A `number` that is
    a string is a placeholder, written where the digits go (the id unquoted, a JSON number once
    filled in): a load generator numbers each request (bench/wrk.py)."""
    order = {**order, "id": number, "admin_graphql_api_id": f"gid://shopify/Order/{number}",
             "updated_at": f"2026-01-01T00:00:00.{number}+00:00"}
    if fields is not None:
        order = {field: order[field] for field in fields}
    body = json.dumps(order).encode()
    if isinstance(number, str):
        body = body.replace(json.dumps(number).encode(), number.encode())
    return body


def shopify_signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(body: bytes, topic: str = "orders/updated", webhook_id: str = "wh-1",
                    event_id: str | None = "ev-1", shop: str = SHOP, secret: str = SECRET, **overrides) -> dict:
    """The headers of a delivery of `body`; an override set to None leaves that header out."""
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": shopify_signature(body, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-04",
        "X-Shopify-Webhook-Id": webhook_id,
    }
    if event_id:
        headers["X-Shopify-Event-Id"] = event_id
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}
