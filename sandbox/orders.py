"""Orders: made from drafts or from a spec (for tests and benchmarks); updated, tagged, cancelled."""

from __future__ import annotations

import copy
from decimal import Decimal

from sandbox import addresses, events, inventory, pricing, seed, tags
from sandbox.dates import now, parse_datetime
from sandbox.errors import not_implemented, user_error
from sandbox.ids import legacy_id
from sandbox.money import ZERO, to_money
from sandbox.store import Store

FINANCIAL_STATUSES = {"PENDING", "AUTHORIZED", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "VOIDED", "PAID", "REFUNDED",
                      "EXPIRED"}
FULFILLMENT_STATUSES = {"UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED"}


class OrderSpecError(ValueError):
    pass


def _new_order(store: Store, **fields) -> dict:
    number = store.next_order_number
    store.next_order_number += 1
    created = fields.pop("created_at", None) or now()
    name = fields.pop("name", None) or f"{store.config.order_name_prefix}{number}{store.config.order_name_suffix}"
    order = {
        "id": store.next_id(), "name": name, "number": number - 1000, "order_number": number,
        "created_at": created, "updated_at": created, "processed_at": created,
        "cancelled_at": None, "cancel_reason": None, "closed_at": None, "currency": store.shop["currency"],
        "source_identifier": None, "po_number": None, "test": False, "confirmed": True, "taxes_included": False,
        "fulfillment_status": "UNFULFILLED", "discount_codes": [], "payment_gateway_names": [],
        "refund_ids": [], "draft_order_id": None, "rest_base": None,
        **fields,
    }
    store.orders[order["id"]] = order
    return order


def _totals(lines: list[dict], shipping_lines: list[dict], financial_status: str) -> dict:
    line_items = sum((line["price"] * line["quantity"] for line in lines), ZERO)
    discounts = sum((line["discount"] for line in lines), ZERO)
    shipping = sum((line["price"] for line in shipping_lines), ZERO)
    total = line_items - discounts + shipping
    paid = financial_status in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")
    return {
        "line_items": line_items, "discounts": discounts, "subtotal": line_items - discounts, "shipping": shipping,
        "tax": ZERO, "total": total, "current_subtotal": line_items - discounts, "current_discounts": discounts,
        "current_tax": ZERO, "current_total": total, "refunded": ZERO, "outstanding": ZERO if paid else total,
    }


def _shipping_line(store: Store, title: str, price: Decimal) -> dict:
    return {"id": store.next_id(), "title": title, "code": title, "source": "shopify", "price": price,
            "discounted_price": price, "carrier_identifier": None, "is_removed": False}


def order_from_draft(store: Store, draft: dict, source_name: str) -> dict:
    applications = []
    line_allocations: list[list[dict]] = [[] for _ in draft["line_items"]]
    for position, line in enumerate(draft["line_items"]):
        if line["applied_discount"]:
            applications.append(_manual_application(len(applications), line["applied_discount"], "EXPLICIT", "ONE"))
            line_allocations[position].append({"amount": line["discount"], "application_index": len(applications) - 1})
    order_discount = draft["applied_discount"]
    if order_discount and draft["totals"]["order_discount"] > 0:
        applications.append(_manual_application(len(applications), order_discount, "ALL", "ACROSS"))
        weights = [line["price"] * line["quantity"] - line["discount"] for line in draft["line_items"]]
        shares = pricing.allocate(draft["totals"]["order_discount"], weights)
        for position, share in enumerate(shares):
            line_allocations[position].append({"amount": share, "application_index": len(applications) - 1})
    lines = [
        {
            "id": store.next_id(), "variant_id": line["variant_id"], "product_id": line["product_id"],
            "sku": line["sku"], "title": line["title"], "variant_title": line["variant_title"], "name": line["name"],
            "vendor": line["vendor"], "quantity": line["quantity"], "current_quantity": line["quantity"],
            "fulfilled_quantity": 0, "price": line["price"],
            "discount": sum((a["amount"] for a in allocations), ZERO), "allocations": allocations, "tax": ZERO,
            "requires_shipping": line["requires_shipping"], "gift_card": line["gift_card"],
            "taxable": line["taxable"], "grams": line["grams"],
            "custom_attributes": copy.deepcopy(line["custom_attributes"]),
        }
        for line, allocations in zip(draft["line_items"], line_allocations, strict=True)
    ]
    shipping = draft["shipping_line"]
    totals = {key: draft["totals"][key] for key in ("line_items", "discounts", "subtotal", "shipping", "tax", "total")}
    totals.update(current_subtotal=totals["subtotal"], current_discounts=totals["discounts"], current_tax=ZERO,
                  current_total=totals["total"], refunded=ZERO, outstanding=ZERO)
    return _new_order(
        store, email=draft["email"], phone=draft["phone"], note=draft["note"], tags=list(draft["tags"]),
        custom_attributes=copy.deepcopy(draft["custom_attributes"]), source_name=source_name,
        po_number=draft["po_number"], financial_status="PAID", customer_id=draft["customer_id"],
        shipping_address=copy.deepcopy(draft["shipping_address"]),
        billing_address=copy.deepcopy(draft["billing_address"]),
        shipping_lines=[_shipping_line(store, shipping["title"], shipping["price"])] if shipping else [],
        line_items=lines, discount_applications=applications, totals=totals, draft_order_id=draft["id"],
        payment_gateway_names=["manual"] if totals["total"] > 0 else [],
    )


def _manual_application(index: int, discount: dict, selection: str, method: str) -> dict:
    return {
        "index": index, "type": "manual", "code": None, "title": discount["title"] or "Custom discount",
        "description": discount["description"], "value": Decimal(str(discount["value"])),
        "value_type": discount["value_type"], "allocation_method": method, "target_selection": selection,
        "target_type": "LINE_ITEM",
    }


def seed_like_spec(extra: dict) -> dict:
    """An order spec with the seed order's customer, addresses and lines (quantities and current quantities)."""
    raw = seed.order_sample()
    spec = {
        "email": raw["email"], "phone": raw["phone"], "customer_id": raw["customer"]["id"],
        "shipping_address": raw["shipping_address"], "billing_address": raw["billing_address"],
        "shipping_lines": [{"title": line["title"], "price": line["price"]} for line in raw["shipping_lines"]],
        "line_items": [
            {"variant_id": line["variant_id"], "quantity": line["quantity"],
             "current_quantity": line["current_quantity"]}
            for line in raw["line_items"]
        ],
        "financial_status": "paid", "source_name": "web",
    }
    return {**spec, **extra}


def create_from_spec(store: Store, spec: dict) -> dict:
    """An order as a merchant or a storefront would have made it; see the README for the spec's keys."""
    known = {"name", "email", "phone", "customer_id", "tags", "note", "custom_attributes", "line_items",
             "shipping_address", "billing_address", "shipping_lines", "financial_status", "fulfillment_status",
             "source_name", "cancelled", "created_at", "po_number", "commit_inventory"}
    unknown = set(spec) - known
    if unknown:
        raise OrderSpecError(f"unknown order keys: {', '.join(sorted(unknown))}")
    if not spec.get("line_items"):
        raise OrderSpecError("an order needs line_items")
    customer_id = spec.get("customer_id")
    if customer_id is not None and customer_id not in store.customers:
        raise OrderSpecError(f"no customer {customer_id}")
    financial_status = spec.get("financial_status", "paid").upper()
    fulfillment_status = spec.get("fulfillment_status", "unfulfilled").upper()
    if financial_status not in FINANCIAL_STATUSES or fulfillment_status not in FULFILLMENT_STATUSES:
        raise OrderSpecError("unknown financial_status or fulfillment_status")
    lines = [_spec_line(store, line, fulfillment_status) for line in spec["line_items"]]
    shipping_lines = [_shipping_line(store, line["title"], to_money(line.get("price", "0")))
                      for line in spec.get("shipping_lines", [])]
    created_at = parse_datetime(spec["created_at"]) if spec.get("created_at") else None
    order = _new_order(
        store, name=spec.get("name"), email=spec.get("email"), phone=spec.get("phone"), note=spec.get("note"),
        tags=tags.normalize(spec.get("tags") or []), custom_attributes=list(spec.get("custom_attributes") or []),
        source_name=spec.get("source_name", "web"), po_number=spec.get("po_number"),
        financial_status=financial_status, fulfillment_status=fulfillment_status, customer_id=customer_id,
        shipping_address=_rest_address(store, spec.get("shipping_address")),
        billing_address=_rest_address(store, spec.get("billing_address")),
        shipping_lines=shipping_lines, line_items=lines, discount_applications=[],
        totals=_totals(lines, shipping_lines, financial_status), created_at=created_at,
    )
    if spec.get("commit_inventory"):
        for line in lines:
            if line["variant_id"] is not None:
                item_id = store.variants[line["variant_id"]]["inventory_item_id"]
                inventory.commit(store, item_id, line["current_quantity"])
    if spec.get("cancelled"):
        order.update(cancelled_at=order["created_at"], cancel_reason="CUSTOMER")
    events.order_created(store, order)
    return order


def _rest_address(store: Store, data: dict | None) -> dict | None:
    return addresses.from_rest(data, store.next_id()) if data else None


def _spec_line(store: Store, spec: dict, fulfillment_status: str) -> dict:
    variant = store.variants.get(spec.get("variant_id")) if spec.get("variant_id") else None
    if spec.get("variant_id") and variant is None:
        raise OrderSpecError(f"no variant {spec['variant_id']}")
    if variant is None and not (spec.get("title") and "price" in spec):
        raise OrderSpecError("a line without variant_id needs title and price")
    product = store.products[variant["product_id"]] if variant else None
    quantity = spec.get("quantity", 1)
    current = spec.get("current_quantity", quantity)
    title = spec.get("title") or product["title"]
    variant_title = variant["title"] if variant else None
    return {
        "id": store.next_id(), "variant_id": variant["id"] if variant else None,
        "product_id": product["id"] if product else None, "sku": spec.get("sku", variant and variant["sku"]),
        "title": title, "variant_title": variant_title,
        "name": " - ".join(part for part in (title, variant_title) if part), "vendor": product and product["vendor"],
        "quantity": quantity, "current_quantity": current,
        "fulfilled_quantity": current if fulfillment_status == "FULFILLED" else 0,
        "price": to_money(spec["price"]) if "price" in spec else variant["price"],
        "discount": to_money(spec.get("discount", "0")), "allocations": [], "tax": ZERO,
        "requires_shipping": spec.get("requires_shipping", not spec.get("gift_card", False)),
        "gift_card": spec.get("gift_card", False), "taxable": True, "grams": variant["grams"] if variant else 0,
        "custom_attributes": list(spec.get("custom_attributes") or []),
        "selling_plan": bool(spec.get("selling_plan")),
    }


def find(store: Store, order_gid: str) -> dict | None:
    return store.orders.get(legacy_id(order_gid, "Order") or 0)


def touch(record: dict) -> None:
    record["updated_at"] = now()


def change_tags(store: Store, order: dict, add: list[str] | str = (), remove: list[str] | str = ()) -> None:
    new_tags = tags.removed(tags.added(order["tags"], add), remove)
    order["tags"] = new_tags
    touch(order)
    events.order_updated(store, order)


def update_order(store: Store, data: dict) -> tuple[dict | None, list[dict]]:
    order = find(store, data["id"])
    if order is None:
        return None, [user_error(["id"], "Order does not exist")]
    for key in ("metafields", "localizedFields"):
        if data.get(key):
            raise not_implemented(f"OrderInput.{key}")
    simple = {"email": "email", "phone": "phone", "note": "note", "poNumber": "po_number"}
    for key, field in simple.items():
        if key in data:
            order[field] = data[key]
    if "tags" in data:  # orderUpdate overwrites the tags, unlike tagsAdd
        order["tags"] = tags.normalize(data["tags"] or [])
    if "customAttributes" in data:
        order["custom_attributes"] = [dict(a) for a in data["customAttributes"] or []]
    if "shippingAddress" in data:
        order["shipping_address"] = addresses.from_input(data["shippingAddress"], store.next_id()) \
            if data["shippingAddress"] else None
    touch(order)
    events.order_updated(store, order)
    return order, []


def cancel_problems(store: Store, order_gid: str) -> list[dict]:
    """orderCancel's userErrors, checked when it is called (the job checks again when it runs)."""
    order = find(store, order_gid)
    if order is None:
        return [user_error(["orderId"], "Order does not exist", code="NOT_FOUND")]
    if order["cancelled_at"] is not None:
        return [user_error(["orderId"], "Order has already been cancelled", code="INVALID")]
    return []


def cancel_order(store: Store, order_gid: str, reason: str, restock: bool, refund: bool = False,
                 staff_note: str | None = None) -> None:
    """Voids what is only authorized; refunds what was paid only when `refund` (orderCancel's refundMethod)."""
    order = find(store, order_gid)
    if order is None or order["cancelled_at"] is not None:
        return
    if restock:
        for line in order["line_items"]:
            unfulfilled = line["current_quantity"] - line["fulfilled_quantity"]
            if line["variant_id"] is not None and unfulfilled > 0:
                item_id = store.variants[line["variant_id"]]["inventory_item_id"]
                location = inventory.stocking_location(store, item_id)
                if location is not None:
                    inventory.restock(store, item_id, location, unfulfilled, uncommit=True)
    totals = order["totals"]
    if order["financial_status"] in ("PENDING", "AUTHORIZED"):
        order["financial_status"] = "VOIDED"
    elif refund and totals["current_total"] > 0 and order["financial_status"] in ("PAID", "PARTIALLY_REFUNDED"):
        totals["refunded"] += totals["current_total"]
        order["financial_status"] = "REFUNDED"
    moment = now()
    order.update(cancelled_at=moment, cancel_reason=reason, cancel_staff_note=staff_note, updated_at=moment)
    events.order_cancelled(store, order)
