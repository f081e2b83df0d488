"""Products made through `POST /_sandbox/products`: one or more variants, stocked at the first location."""

from __future__ import annotations

from sandbox.dates import now
from sandbox.money import to_money
from sandbox.store import Store

PRODUCT_KEYS = {"title", "vendor", "requires_selling_plan", "variants"}
VARIANT_KEYS = {"title", "sku", "price", "available", "requires_shipping", "grams"}


class ProductSpecError(ValueError):
    pass


def create(store: Store, spec: dict) -> dict:
    """`{"title": "Coffee club", "requires_selling_plan": true, "variants": [{"sku": "COFFEE-1", "price": "20.00",
    "available": 10}]}`; without `variants`, one "Default Title" variant."""
    unknown = set(spec) - PRODUCT_KEYS
    if unknown:
        raise ProductSpecError(f"unknown product keys: {', '.join(sorted(unknown))}")
    variants = spec.get("variants") or [{}]
    for variant in variants:
        if set(variant) - VARIANT_KEYS:
            raise ProductSpecError(f"unknown variant keys: {', '.join(sorted(set(variant) - VARIANT_KEYS))}")
    moment = now()
    product = {
        "id": store.next_id(), "title": spec.get("title") or "Sandbox product", "handle": None,
        "vendor": spec.get("vendor") or "Sandbox", "product_type": "", "status": "ACTIVE", "tags": [],
        "created_at": moment, "updated_at": moment, "variant_ids": [],
        "requires_selling_plan": bool(spec.get("requires_selling_plan")),
    }
    product["handle"] = product["title"].lower().replace(" ", "-")
    store.products[product["id"]] = product
    for position, data in enumerate(variants, start=1):
        _variant(store, product, position, data)
    return product


def _variant(store: Store, product: dict, position: int, data: dict) -> None:
    moment = now()
    variant_id, item_id = store.next_id(), store.next_id()
    requires_shipping = data.get("requires_shipping", True)
    store.variants[variant_id] = {
        "id": variant_id, "product_id": product["id"], "title": data.get("title") or "Default Title",
        "sku": data.get("sku"), "price": to_money(data.get("price", "10.00")), "compare_at_price": None,
        "position": position, "inventory_item_id": item_id, "taxable": True, "barcode": None,
        "grams": data.get("grams", 0), "requires_shipping": requires_shipping, "created_at": moment,
        "updated_at": moment,
    }
    product["variant_ids"].append(variant_id)
    store.inventory_items[item_id] = {
        "id": item_id, "variant_id": variant_id, "sku": data.get("sku"), "unit_cost": None, "tracked": True,
        "requires_shipping": requires_shipping, "created_at": moment, "updated_at": moment,
    }
    for index, location_id in enumerate(store.locations):
        store.levels[(item_id, location_id)] = {"id": store.next_id(), "committed": 0,
                                                "available": data.get("available", 50) if index == 0 else 0,
                                                "created_at": moment, "updated_at": moment}
