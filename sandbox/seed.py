"""The seed shop: order #1001 from Shopify's REST sample, its customer, products and stock."""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal

from sandbox import addresses
from sandbox.dates import parse_datetime
from sandbox.money import ZERO, to_money
from sandbox.store import Store
from sandbox.vendored import ORDER_SAMPLE

SHOP = {
    "name": "Example Store",
    "domain": "example.myshopify.com",
    "currency": "USD",
    "email": "owner@example.com",
    "timezone": "America/New_York",
    "created_at": parse_datetime("2007-12-31T19:00:00-05:00"),
}
LOCATION_ID = 1
SEED_UNIT_COST = Decimal("120.00")
SEED_AVAILABLE = 50


@functools.cache
def _order_sample_text() -> str:
    return ORDER_SAMPLE.read_text()


def order_sample() -> dict:
    """The raw REST order of the seed (a fresh copy)."""
    return json.loads(_order_sample_text())["order"]


def populate(store: Store) -> None:
    raw = order_sample()
    store.shop = dict(SHOP)
    store.locations[LOCATION_ID] = {
        "id": LOCATION_ID, "name": "Main warehouse", "address1": "Chestnut Street 92", "city": "Louisville",
        "province_code": "KY", "country_code": "US", "zip": "40202", "created_at": SHOP["created_at"],
    }
    _catalog(store, raw["line_items"], parse_datetime(raw["created_at"]))
    customer = _customer(store, raw["customer"])
    store.customers[customer["id"]] = customer
    order = _order(store, raw)
    store.orders[order["id"]] = order
    for refund in raw["refunds"]:
        store.refunds[refund["id"]] = _refund(refund)
        order["refund_ids"].append(refund["id"])


def _catalog(store: Store, lines: list[dict], created_at) -> None:
    for position, line in enumerate(lines, start=1):
        product = store.products.setdefault(line["product_id"], {
            "id": line["product_id"], "title": line["title"], "handle": "ipod-nano", "vendor": "Apple",
            "product_type": "Cult Products", "status": "ACTIVE", "tags": ["Emotive", "Flash Memory", "MP3"],
            "created_at": created_at, "updated_at": created_at, "variant_ids": [], "requires_selling_plan": False,
        })
        item_id = store.next_id()
        store.variants[line["variant_id"]] = {
            "id": line["variant_id"], "product_id": product["id"], "title": line["variant_title"],
            "sku": line["sku"], "price": to_money(line["price"]), "compare_at_price": None, "position": position,
            "inventory_item_id": item_id, "taxable": line["taxable"], "barcode": None, "grams": line["grams"],
            "requires_shipping": line["requires_shipping"], "created_at": created_at, "updated_at": created_at,
        }
        product["variant_ids"].append(line["variant_id"])
        store.inventory_items[item_id] = {
            "id": item_id, "variant_id": line["variant_id"], "sku": line["sku"], "unit_cost": SEED_UNIT_COST,
            "tracked": True, "requires_shipping": line["requires_shipping"],
            "created_at": created_at, "updated_at": created_at,
        }
        store.levels[(item_id, LOCATION_ID)] = {
            "id": store.next_id(), "available": SEED_AVAILABLE, "committed": 0,
            "created_at": created_at, "updated_at": created_at,
        }


def _customer(store: Store, raw: dict) -> dict:
    return {
        "id": raw["id"], "email": raw["email"], "first_name": raw["first_name"], "last_name": raw["last_name"],
        "phone": raw["phone"], "state": raw["state"].upper(), "note": raw["note"],
        "verified_email": raw["verified_email"], "tax_exempt": raw["tax_exempt"],
        "tags": [tag.strip() for tag in raw["tags"].split(",") if tag.strip()], "currency": raw["currency"],
        "created_at": parse_datetime(raw["created_at"]), "updated_at": parse_datetime(raw["updated_at"]),
        "default_address": addresses.from_rest(raw["default_address"], raw["default_address"]["id"]),
        "rest_base": copy.deepcopy(raw),
    }


def _sum(entries: list[dict], key: str = "amount") -> Decimal:
    return sum((to_money(entry[key]) for entry in entries), ZERO)


def _order(store: Store, raw: dict) -> dict:
    applications = [
        {"index": index, "type": application["type"], "code": application.get("code"),
         "title": application.get("title") or application.get("code"), "description": application.get("description"),
         "value": Decimal(application["value"]), "value_type": application["value_type"].upper(),
         "allocation_method": application["allocation_method"].upper(),
         "target_selection": application["target_selection"].upper(),
         "target_type": application["target_type"].upper()}
        for index, application in enumerate(raw["discount_applications"])
    ]
    return {
        "id": raw["id"], "name": raw["name"], "number": raw["number"], "order_number": raw["order_number"],
        "email": raw["email"], "phone": raw["phone"], "note": raw["note"],
        "tags": [tag.strip() for tag in raw["tags"].split(",") if tag.strip()],
        "custom_attributes": [{"key": a["name"], "value": a["value"]} for a in raw["note_attributes"]],
        "created_at": parse_datetime(raw["created_at"]), "updated_at": parse_datetime(raw["updated_at"]),
        "processed_at": parse_datetime(raw["processed_at"]), "cancelled_at": None, "cancel_reason": None,
        "closed_at": None, "currency": raw["currency"], "source_name": raw["source_name"],
        "source_identifier": raw["source_identifier"], "po_number": raw["po_number"], "test": raw["test"],
        "confirmed": raw["confirmed"], "taxes_included": raw["taxes_included"],
        "financial_status": raw["financial_status"].upper(), "fulfillment_status": "UNFULFILLED",
        "customer_id": raw["customer"]["id"],
        "shipping_address": addresses.from_rest(raw["shipping_address"], store.next_id()),
        "billing_address": addresses.from_rest(raw["billing_address"], store.next_id()),
        "shipping_lines": [
            {"id": line["id"], "title": line["title"], "code": line["code"], "source": line["source"],
             "price": to_money(line["price"]), "discounted_price": to_money(line["discounted_price"]),
             "carrier_identifier": line["carrier_identifier"], "is_removed": line["is_removed"]}
            for line in raw["shipping_lines"]
        ],
        "line_items": [_line_item(line) for line in raw["line_items"]],
        "discount_applications": applications,
        "discount_codes": [code["code"] for code in raw["discount_codes"]],
        "payment_gateway_names": raw["payment_gateway_names"],
        "totals": {
            "line_items": to_money(raw["total_line_items_price"]),
            "discounts": to_money(raw["total_discounts"]),
            "subtotal": to_money(raw["subtotal_price"]),
            "shipping": to_money(raw["total_shipping_price_set"]["shop_money"]["amount"]),
            "tax": to_money(raw["total_tax"]),
            "total": to_money(raw["total_price"]),
            "current_subtotal": to_money(raw["current_subtotal_price"]),
            "current_discounts": to_money(raw["current_total_discounts"]),
            "current_tax": to_money(raw["current_total_tax"]),
            "current_total": to_money(raw["current_total_price"]),
            "refunded": sum((_sum(refund["transactions"]) for refund in raw["refunds"]), ZERO),
            "outstanding": to_money(raw["total_outstanding"]),
        },
        "refund_ids": [],
        "draft_order_id": None,
        "rest_base": raw,
    }


def _line_item(raw: dict) -> dict:
    return {
        "id": raw["id"], "variant_id": raw["variant_id"], "product_id": raw["product_id"], "sku": raw["sku"],
        "title": raw["title"], "variant_title": raw["variant_title"], "name": raw["name"], "vendor": raw["vendor"],
        "quantity": raw["quantity"], "current_quantity": raw["current_quantity"], "fulfilled_quantity": 0,
        "price": to_money(raw["price"]), "discount": _sum(raw["discount_allocations"]),
        "allocations": [
            {"amount": to_money(a["amount"]), "application_index": a["discount_application_index"]}
            for a in raw["discount_allocations"]
        ],
        "tax": _sum(raw["tax_lines"], "price"), "requires_shipping": raw["requires_shipping"],
        "gift_card": raw["gift_card"], "taxable": raw["taxable"], "grams": raw["grams"],
        "custom_attributes": [{"key": p["name"], "value": p["value"]} for p in raw["properties"]],
    }


def _refund(raw: dict) -> dict:
    return {
        "id": raw["id"], "order_id": raw["order_id"], "note": raw["note"],
        "created_at": parse_datetime(raw["created_at"]), "processed_at": parse_datetime(raw["processed_at"]),
        "line_items": [
            {"id": line["id"], "line_item_id": line["line_item_id"], "quantity": line["quantity"],
             "restock_type": line["restock_type"].upper(), "location_id": line["location_id"],
             "subtotal": to_money(line["subtotal"]), "total_tax": to_money(line["total_tax"])}
            for line in raw["refund_line_items"]
        ],
        "shipping": ZERO,
        "total": _sum(raw["transactions"]),
        "rest_base": raw,
    }
