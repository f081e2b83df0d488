"""Payloads for tests: the signed webhooks of devtools/webhook_payloads.py, and order #1001 as
the service reads it through GraphQL."""

from __future__ import annotations

from devtools.webhook_payloads import SECRET, SHOP, sample, shopify_headers, tagged_order

__all__ = ["SECRET", "SHOP", "graphql_order", "sample", "shopify_headers", "tagged_order"]


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
