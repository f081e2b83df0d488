"""Shopify webhooks as Shopify sends them: its own sample orders (vendor/shopify/samples), signed
with the shop's secret. The sample webhook, the benchmarks and the tests send these."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac

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
