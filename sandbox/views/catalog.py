"""Products, variants, inventory items and levels, locations."""

from __future__ import annotations

from graphql import GraphQLError

from sandbox import inventory
from sandbox.dates import graphql_datetime
from sandbox.errors import access_denied, not_implemented
from sandbox.ids import gid, legacy_id
from sandbox.money import rest_amount
from sandbox.pagination import connection, encode_cursor
from sandbox.store import Store
from sandbox.views.common import count, money


def variant_view(store: Store, variant: dict) -> dict:
    product = store.products[variant["product_id"]]
    item = store.inventory_items[variant["inventory_item_id"]]
    return {
        "__typename": "ProductVariant",
        "id": gid("ProductVariant", variant["id"]), "legacyResourceId": str(variant["id"]),
        "title": variant["title"], "displayName": f"{product['title']} - {variant['title']}",
        "sku": variant["sku"], "barcode": variant["barcode"], "position": variant["position"],
        "price": rest_amount(variant["price"]),
        "compareAtPrice": rest_amount(variant["compare_at_price"]) if variant["compare_at_price"] else None,
        "taxable": variant["taxable"], "inventoryPolicy": "DENY",
        "inventoryQuantity": lambda _: inventory.available_total(store, item["id"]),
        "sellableOnlineQuantity": lambda _: max(0, inventory.available_total(store, item["id"])),
        "availableForSale": lambda _: (
            product["status"] == "ACTIVE" and inventory.available_total(store, item["id"]) > 0
        ),
        "inventoryItem": lambda _: inventory_item_view(store, item),
        "product": lambda _: product_view(store, product),
        "requiresComponents": False, "showUnitPrice": False, "unitPrice": None,
        "createdAt": graphql_datetime(variant["created_at"]), "updatedAt": graphql_datetime(variant["updated_at"]),
        "defaultCursor": encode_cursor([variant["id"]]),
    }


def product_view(store: Store, product: dict) -> dict:
    variants = [store.variants[variant_id] for variant_id in product["variant_ids"]]

    def total_inventory() -> int:
        return sum(inventory.available_total(store, v["inventory_item_id"]) for v in variants)

    return {
        "__typename": "Product",
        "id": gid("Product", product["id"]), "legacyResourceId": str(product["id"]),
        "title": product["title"], "handle": product["handle"], "vendor": product["vendor"],
        "productType": product["product_type"], "status": product["status"], "tags": list(product["tags"]),
        "createdAt": graphql_datetime(product["created_at"]), "updatedAt": graphql_datetime(product["updated_at"]),
        "publishedAt": graphql_datetime(product["created_at"]),
        "description": lambda _, truncateAt=None: "", "descriptionHtml": "",
        "isGiftCard": False, "hasOnlyDefaultVariant": False,
        "requiresSellingPlan": product["requires_selling_plan"], "tracksInventory": True,
        "templateSuffix": None, "giftCardTemplateSuffix": None, "onlineStoreUrl": None,
        "totalInventory": lambda _: total_inventory(),
        "hasOutOfStockVariants": lambda _: any(
            inventory.available_total(store, v["inventory_item_id"]) <= 0 for v in variants
        ),
        "variantsCount": count(len(variants)),
        "variants": lambda info, sortKey="ID", **args: connection(
            info, variants, lambda v: variant_view(store, v), sort_key=_variant_sort(sortKey), **args,
        ),
        "defaultCursor": encode_cursor([product["id"]]),
    }


def _variant_sort(sort_key: str):
    if sort_key == "POSITION":
        return lambda variant: [variant["position"], variant["id"]]
    if sort_key in ("ID", "RELEVANCE"):
        return lambda variant: [variant["id"]]
    raise not_implemented(f"sorting variants by {sort_key}")


def inventory_item_view(store: Store, item: dict) -> dict:
    levels = [(item_id, location_id) for (item_id, location_id) in store.levels if item_id == item["id"]]
    variant = store.variants[item["variant_id"]]

    def level_at(locationId: str, includeInactive: bool = False) -> dict | None:
        key = (item["id"], legacy_id(locationId, "Location"))
        return inventory_level_view(store, *key) if key in store.levels else None

    return {
        "__typename": "InventoryItem",
        "id": gid("InventoryItem", item["id"]), "legacyResourceId": str(item["id"]), "sku": item["sku"],
        "tracked": item["tracked"], "requiresShipping": item["requires_shipping"],
        "unitCost": money(item["unit_cost"], store.shop["currency"]),
        "countryCodeOfOrigin": None, "provinceCodeOfOrigin": None, "harmonizedSystemCode": None,
        "duplicateSkuCount": sum(1 for other in store.inventory_items.values()
                                 if other["sku"] == item["sku"] and other["id"] != item["id"]),
        "createdAt": graphql_datetime(item["created_at"]), "updatedAt": graphql_datetime(item["updated_at"]),
        "locationsCount": count(len(levels)),
        "inventoryLevel": lambda _, **args: level_at(**args),
        "inventoryLevels": lambda info, includeInactive=False, **args: connection(
            info, levels, lambda key: inventory_level_view(store, *key), sort_key=lambda key: [key[1]], **args,
        ),
        "variants": lambda info, **args: connection(info, [variant], lambda v: variant_view(store, v), **args),
    }


def inventory_level_view(store: Store, item_id: int, location_id: int) -> dict:
    level = store.levels[(item_id, location_id)]

    def quantities(names: list[str]) -> list[dict]:
        unknown = [name for name in names if name not in inventory.QUANTITY_NAMES]
        if unknown:
            raise GraphQLError(
                f"Invalid quantity names: {', '.join(unknown)}. Valid names are: {', '.join(inventory.QUANTITY_NAMES)}",
                extensions={"code": "BAD_REQUEST"},
            )
        counts = inventory.quantities(store, item_id, location_id)
        return [
            {"id": f"gid://shopify/InventoryQuantity/{level['id']}?name={name}", "name": name,
             "quantity": counts[name], "updatedAt": graphql_datetime(level["updated_at"])}
            for name in names
        ]

    return {
        "__typename": "InventoryLevel",
        "id": f"{gid('InventoryLevel', level['id'])}?inventory_item_id={item_id}",
        "quantities": lambda _, names: quantities(names),
        "location": lambda _: location_view(store, store.locations[location_id]),
        "item": lambda _: inventory_item_view(store, store.inventory_items[item_id]),
        "isActive": True, "canDeactivate": False, "deactivationAlert": None,
        "createdAt": graphql_datetime(level["created_at"]), "updatedAt": graphql_datetime(level["updated_at"]),
    }


def location_view(store: Store, location: dict) -> dict:
    levels = [(item_id, location_id) for (item_id, location_id) in store.levels if location_id == location["id"]]

    def level_for(inventoryItemId: str, includeInactive: bool = False) -> dict | None:
        key = (legacy_id(inventoryItemId, "InventoryItem"), location["id"])
        return inventory_level_view(store, *key) if key in store.levels else None

    return _gated({
        "__typename": "Location",
        "id": gid("Location", location["id"]), "legacyResourceId": str(location["id"]), "name": location["name"],
        "isActive": True, "activatable": False, "deactivatable": True, "deletable": False, "deactivatedAt": None,
        "fulfillsOnlineOrders": True, "hasActiveInventory": bool(levels), "isFulfillmentService": False,
        "shipsInventory": True, "addressVerified": False,
        "createdAt": graphql_datetime(location["created_at"]), "updatedAt": graphql_datetime(location["created_at"]),
        "inventoryLevel": lambda _, **args: level_for(**args),
        "inventoryLevels": lambda info, includeInactive=False, **args: connection(
            info, levels, lambda key: inventory_level_view(store, *key), sort_key=lambda key: [key[0]], **args,
        ),
    }, "read_locations" in store.granted_scopes())


def _gated(view: dict, granted: bool) -> dict:
    """Since 2025-03 a Location's `id` is readable with read_inventory; every other field needs read_locations."""
    if granted:
        return view

    def denied(name: str):
        def resolve(_info, **_args):
            raise access_denied(name, "read_locations")

        return resolve

    return {key: value if key in ("__typename", "id") else denied(key) for key, value in view.items()}
