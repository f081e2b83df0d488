"""Draft orders: create (with Shopify's userErrors), complete into an order, delete."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sandbox import addresses, events, inventory, orders, pricing, tags
from sandbox.dates import now, parse_datetime
from sandbox.errors import not_implemented, user_error
from sandbox.ids import legacy_id
from sandbox.money import ZERO, to_money
from sandbox.store import Store

MAX_LINE_ITEMS = 499
STORED_INPUTS = {
    "appliedDiscount", "acceptAutomaticDiscounts", "billingAddress", "customAttributes", "email", "lineItems",
    "note", "shippingAddress", "shippingLine", "tags", "taxExempt", "useCustomerDefaultAddress",
    "visibleToCustomer", "reserveInventoryUntil", "presentmentCurrencyCode", "phone", "purchasingEntity",
    "sourceName", "allowDiscountCodesInCheckout", "poNumber", "discountCodes",
}
LINE_INPUTS = {
    "appliedDiscount", "customAttributes", "originalUnitPriceWithCurrency", "quantity", "requiresShipping", "sku",
    "taxable", "title", "variantId", "weight", "uuid", "priceOverride",
}


def is_ready(draft: dict) -> bool:
    # Shopify computes a draft asynchronously after create; `ready` turns true when that is done.
    return now() >= draft["ready_at"]


def _reject_unmodelled(data: dict, modelled: set[str], type_name: str) -> None:
    for key, value in data.items():
        if key not in modelled and value not in (None, [], False):
            raise not_implemented(f"{type_name}.{key}")


def _applied_discount(data: dict | None, base: Decimal, quantity: int, field: list[str], errors: list) -> dict | None:
    if data is None:
        return None
    value = data["value"]
    if value < 0 or (data["valueType"] == "PERCENTAGE" and value > 100):
        errors.append(user_error([*field, "value"], "Value must be between 0 and 100" if value >= 0
                                 else "Value must be greater than or equal to 0"))
        return None
    amount_input = data.get("amountWithCurrency")
    discount = {
        "title": data.get("title"), "description": data.get("description") or "", "value": float(value),
        "value_type": data["valueType"], "amount": to_money(amount_input["amount"]) if amount_input else None,
    }
    discount["amount"] = pricing.discount_amount(discount, base, quantity)
    return discount


def _line(store: Store, index: int, data: dict, errors: list) -> dict | None:
    _reject_unmodelled(data, LINE_INPUTS, "DraftOrderLineItemInput")
    field = ["lineItems", str(index)]
    quantity = data["quantity"]
    if quantity < 1:
        errors.append(user_error([*field, "quantity"], "Quantity must be greater than or equal to 1"))
        return None
    line = {
        "id": store.next_id(), "uuid": data.get("uuid") or str(uuid.uuid4()), "quantity": quantity,
        "custom_attributes": [dict(a) for a in data.get("customAttributes") or []],
        "price_override": to_money(data["priceOverride"]["amount"]) if data.get("priceOverride") else None,
    }
    if data.get("variantId") is not None:
        variant_id = legacy_id(data["variantId"], "ProductVariant")
        variant = store.variants.get(variant_id) if variant_id else None
        if variant is None:
            errors.append(user_error([*field, "variantId"], f"Product with ID {variant_id or data['variantId']} "
                                                            "is no longer available."))
            return None
        product = store.products[variant["product_id"]]
        if product["requires_selling_plan"]:
            # DraftOrderInput.lineItems: "Draft orders don't currently support subscriptions." (the wording is ours)
            errors.append(user_error([*field, "variantId"], f"{product['title']} - {variant['title']} can only be "
                                     "sold with a selling plan. Draft orders don't currently support subscriptions."))
            return None
        line.update(
            variant_id=variant["id"], product_id=product["id"], title=product["title"],
            variant_title=variant["title"], sku=variant["sku"], vendor=product["vendor"], custom=False,
            original_price=variant["price"], requires_shipping=variant["requires_shipping"],
            taxable=variant["taxable"], grams=variant["grams"], gift_card=False,
        )
    else:
        if not data.get("title"):
            errors.append(user_error([*field, "title"], "Title can't be blank"))
            return None
        price = data.get("originalUnitPriceWithCurrency")
        if price is None:
            errors.append(user_error([*field, "originalUnitPriceWithCurrency"], "Price can't be blank"))
            return None
        weight = data.get("weight")
        line.update(
            variant_id=None, product_id=None, title=data["title"], variant_title=None, sku=data.get("sku"),
            vendor=None, custom=True, original_price=to_money(price["amount"]),
            requires_shipping=data.get("requiresShipping", True), taxable=data.get("taxable", True),
            grams=int(weight["value"]) if weight and weight["unit"] == "GRAMS" else 0, gift_card=False,
        )
    line["name"] = " - ".join(part for part in (line["title"], line["variant_title"]) if part)
    line["price"] = line["price_override"] if line["price_override"] is not None else line["original_price"]
    line["applied_discount"] = _applied_discount(
        data.get("appliedDiscount"), line["price"] * quantity, quantity, [*field, "appliedDiscount"], errors
    )
    line["discount"] = line["applied_discount"]["amount"] if line["applied_discount"] else ZERO
    return line


def create_draft(store: Store, data: dict) -> tuple[dict | None, list[dict]]:
    """A new draft from `DraftOrderInput`, or the userErrors Shopify would answer."""
    _reject_unmodelled(data, STORED_INPUTS, "DraftOrderInput")
    if data.get("discountCodes"):
        raise not_implemented("DraftOrderInput.discountCodes (the sandbox has no discount codes)")
    currency = store.shop["currency"]
    errors: list[dict] = []
    line_inputs = data.get("lineItems") or []
    if not line_inputs:
        errors.append(user_error(["lineItems"], "Add at least 1 line item"))
    elif len(line_inputs) > MAX_LINE_ITEMS:
        errors.append(user_error(["lineItems"], f"Line items cannot exceed {MAX_LINE_ITEMS}"))
    lines = [_line(store, index, line, errors) for index, line in enumerate(line_inputs[:MAX_LINE_ITEMS])]

    customer = None
    entity = data.get("purchasingEntity") or {}
    if entity.get("purchasingCompany"):
        raise not_implemented("PurchasingEntityInput.purchasingCompany (B2B)")
    if entity.get("customerId"):
        customer = store.customers.get(legacy_id(entity["customerId"], "Customer") or 0)
        if customer is None:
            errors.append(user_error(["purchasingEntity", "customerId"], "Customer does not exist"))

    shipping = None
    if data.get("shippingLine"):
        shipping_input = data["shippingLine"]
        if shipping_input.get("shippingRateHandle"):
            raise not_implemented("ShippingLineInput.shippingRateHandle (the sandbox has no shipping rates)")
        price = shipping_input.get("priceWithCurrency") or {"amount": "0", "currencyCode": currency}
        if price["currencyCode"] != currency:
            errors.append(user_error(["shippingLine", "priceWithCurrency", "currencyCode"],
                                     f"Currency code must be {currency}, the shop's currency"))
        shipping = {"title": shipping_input.get("title") or "Shipping", "price": to_money(price["amount"])}
    if data.get("presentmentCurrencyCode") not in (None, currency):
        raise not_implemented("presentment currencies other than the shop's")

    email = data.get("email")
    if email is not None and "@" not in email:
        errors.append(user_error(["email"], "Email is invalid"))

    subtotal = sum((line["price"] * line["quantity"] - line["discount"] for line in lines if line), ZERO)
    order_discount = _applied_discount(data.get("appliedDiscount"), subtotal, 1, ["appliedDiscount"], errors)
    reserve_until = parse_datetime(data["reserveInventoryUntil"]) if data.get("reserveInventoryUntil") else None
    if errors:
        return None, errors

    created = now()
    shipping_address = data.get("shippingAddress")
    if shipping_address is None and data.get("useCustomerDefaultAddress") and customer:
        shipping_address = customer["default_address"]
    draft = {
        "id": store.next_id(), "name": f"#D{store.next_draft_number}", "status": "OPEN",
        "created_at": created, "updated_at": created,
        "ready_at": created + timedelta(seconds=store.config.draft_ready_delay),
        "completed_at": None, "order_id": None,
        "email": email if email is not None else (customer or {}).get("email"),
        "phone": data.get("phone"), "note": data.get("note"),
        "tags": tags.normalize(data.get("tags") or []),
        "custom_attributes": [dict(a) for a in data.get("customAttributes") or []],
        "customer_id": customer["id"] if customer else None,
        "shipping_address": _address(store, shipping_address),
        "billing_address": _address(store, data.get("billingAddress")),
        "shipping_line": shipping, "applied_discount": order_discount, "line_items": lines,
        "reserve_until": reserve_until, "tax_exempt": bool(data.get("taxExempt")), "po_number": data.get("poNumber"),
        "source_name": data.get("sourceName"), "visible_to_customer": bool(data.get("visibleToCustomer")),
        "accept_automatic_discounts": data.get("acceptAutomaticDiscounts"),
        "allow_discount_codes_in_checkout": bool(data.get("allowDiscountCodesInCheckout")),
        "currency": currency,
    }
    draft["totals"] = pricing.draft_totals(lines, order_discount, shipping["price"] if shipping else ZERO)
    store.next_draft_number += 1
    store.draft_orders[draft["id"]] = draft
    if reserve_until is not None:
        for line in lines:
            if line["variant_id"] is not None:
                item_id = store.variants[line["variant_id"]]["inventory_item_id"]
                inventory.reserve(store, draft["id"], item_id, line["quantity"], reserve_until)
    return draft, []


def _address(store: Store, data: dict | None) -> dict | None:
    if data is None:
        return None
    if "country_code" in data:  # already stored (a customer's default address)
        return {**data, "id": store.next_id()}
    return addresses.from_input(data, store.next_id())


def complete_draft(store: Store, draft_gid: str, source_name: str | None = None) -> tuple[dict | None, list[dict]]:
    draft = store.draft_orders.get(legacy_id(draft_gid, "DraftOrder") or 0)
    if draft is None:
        return None, [user_error(["id"], "Draft order does not exist")]
    if draft["status"] == "COMPLETED":
        return None, [user_error(["id"], "This draft order has already been completed")]
    if store.config.plan == "development":
        return None, [user_error(None, "Change your plan to allow customers to checkout and to create orders.")]
    if not is_ready(draft):
        return None, [user_error(["id"], "Draft order is not ready to be completed. Try again in a few seconds")]
    inventory.release(store, draft["id"])
    order = orders.order_from_draft(store, draft, source_name or "shopify_draft_order")
    for line in draft["line_items"]:
        if line["variant_id"] is not None:
            inventory.commit(store, store.variants[line["variant_id"]]["inventory_item_id"], line["quantity"])
    moment = now()
    draft.update(status="COMPLETED", order_id=order["id"], completed_at=moment, updated_at=moment)
    events.order_created(store, order)
    return draft, []


def change_tags(draft: dict, add: list[str] | str = (), remove: list[str] | str = ()) -> None:
    draft["tags"] = tags.removed(tags.added(draft["tags"], add), remove)
    draft["updated_at"] = now()


def delete_draft(store: Store, draft_gid: str) -> tuple[str | None, list[dict]]:
    draft = store.draft_orders.pop(legacy_id(draft_gid, "DraftOrder") or 0, None)
    if draft is None:
        return None, [user_error(["id"], "Draft order does not exist")]
    inventory.release(store, draft["id"])
    return draft_gid, []
