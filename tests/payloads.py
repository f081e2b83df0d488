"""Payloads for tests: Shopify's own samples (vendor/shopify/samples), plus helpers to sign them."""

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
    order = sample("order-tags-updated.rest-2026-07.json")
    order["tags"] = ", ".join(["External", *extra_tags])
    return order


def shopify_signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_headers(body: bytes, topic: str = "orders/updated", webhook_id: str = "wh-1",
                    event_id: str | None = "ev-1", shop: str = SHOP, secret: str = SECRET, **overrides) -> dict:
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


def graphql_order(**changes) -> dict:
    """Order #1001 as documents.ORDER_FOR_REPLACEMENT reads it."""
    rest = sample("order-tags-updated.rest-2026-07.json")
    address = rest["shipping_address"]
    order = {
        "id": rest["admin_graphql_api_id"], "legacyResourceId": str(rest["id"]), "name": rest["name"],
        "tags": [t.strip() for t in rest["tags"].split(",")], "email": rest["email"], "phone": None,
        "cancelledAt": None, "updatedAt": rest["updated_at"], "currencyCode": rest["currency"],
        "customer": {"id": rest["customer"]["admin_graphql_api_id"]},
        "shippingAddress": {"firstName": address["first_name"], "lastName": address["last_name"],
                            "company": None, "address1": address["address1"], "address2": address["address2"],
                            "city": address["city"], "provinceCode": address["province_code"],
                            "countryCodeV2": address["country_code"], "zip": address["zip"],
                            "phone": address["phone"]},
        "billingAddress": None,
        "shippingLine": {"title": rest["shipping_lines"][0]["title"]},
        "lineItems": {"nodes": [
            {"id": line["admin_graphql_api_id"], "sku": line["sku"], "title": line["title"],
             "quantity": line["quantity"], "currentQuantity": line["current_quantity"],
             "requiresShipping": line["requires_shipping"], "isGiftCard": line["gift_card"],
             "variant": {"id": f"gid://shopify/ProductVariant/{line['variant_id']}"},
             "originalUnitPriceSet": {"shopMoney": {"amount": line["price"], "currencyCode": rest["currency"]}}}
            for line in rest["line_items"]
        ]},
    }
    order.update(changes)
    return order
