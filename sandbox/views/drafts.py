"""Draft orders and their line items; draft search and sorting."""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLResolveInfo

from sandbox import search
from sandbox.dates import graphql_datetime
from sandbox.drafts import is_ready
from sandbox.errors import not_implemented
from sandbox.ids import gid
from sandbox.money import ZERO, to_money
from sandbox.pagination import connection, encode_cursor, in_given_order
from sandbox.store import Store
from sandbox.views import catalog, customers, orders
from sandbox.views.common import address_field, attributes, bag_field, money, same_address


def applied_discount_view(discount: dict | None, currency: str) -> dict | None:
    if discount is None:
        return None
    return {
        "title": discount["title"], "description": discount["description"], "value": discount["value"],
        "valueType": discount["value_type"], "amountSet": bag_field(discount["amount"], currency),
        "amountV2": money(discount["amount"], currency),
    }


def draft_line_view(store: Store, draft: dict, line: dict) -> dict:
    currency = draft["currency"]
    quantity = line["quantity"]
    original_total = line["price"] * quantity
    discounted_total = original_total - line["discount"]
    variant = store.variants.get(line["variant_id"]) if line["variant_id"] else None
    product = store.products.get(line["product_id"]) if line["product_id"] else None
    return {
        "__typename": "DraftOrderLineItem",
        "id": gid("DraftOrderLineItem", line["id"]), "uuid": line["uuid"], "name": line["name"],
        "title": line["title"], "variantTitle": line["variant_title"], "sku": line["sku"], "vendor": line["vendor"],
        "quantity": quantity, "custom": line["custom"], "requiresShipping": line["requires_shipping"],
        "taxable": line["taxable"], "isGiftCard": line["gift_card"],
        "variant": lambda _: catalog.variant_view(store, variant) if variant else None,
        "product": lambda _: catalog.product_view(store, product) if product else None,
        "originalUnitPriceSet": bag_field(line["price"], currency),
        "originalUnitPriceWithCurrency": money(line["original_price"], currency) if line["custom"] else None,
        "priceOverride": money(line["price_override"], currency),
        "originalTotalSet": bag_field(original_total, currency),
        "discountedTotalSet": bag_field(discounted_total, currency),
        "approximateDiscountedUnitPriceSet": bag_field(to_money(discounted_total / quantity), currency),
        "totalDiscountSet": bag_field(line["discount"], currency),
        "appliedDiscount": applied_discount_view(line["applied_discount"], currency),
        "customAttributes": attributes(line["custom_attributes"]),
        "weight": {"unit": "GRAMS", "value": float(line["grams"])},
        "components": [], "taxLines": [],
    }


def draft_view(store: Store, draft: dict) -> dict:
    currency = draft["currency"]
    totals = draft["totals"]
    lines = draft["line_items"]
    customer = store.customers.get(draft["customer_id"]) if draft["customer_id"] else None
    shipping = draft["shipping_line"]

    def total(key: str) -> Callable[..., dict]:
        return bag_field(totals[key], currency)

    return {
        "__typename": "DraftOrder",
        "id": gid("DraftOrder", draft["id"]), "legacyResourceId": str(draft["id"]), "name": draft["name"],
        "status": draft["status"], "ready": lambda _: is_ready(draft),
        "order": lambda _: orders.order_view(store, store.orders[draft["order_id"]]) if draft["order_id"] else None,
        "completedAt": graphql_datetime(draft["completed_at"]), "createdAt": graphql_datetime(draft["created_at"]),
        "updatedAt": graphql_datetime(draft["updated_at"]), "invoiceSentAt": None,
        "invoiceUrl": f"https://{store.shop['domain']}/invoices/{draft['id']}",
        "invoiceEmailTemplateSubject": f"Complete your purchase ({draft['name']})",
        "tags": list(draft["tags"]), "note2": draft["note"], "email": draft["email"], "phone": draft["phone"],
        "customAttributes": attributes(draft["custom_attributes"]),
        "customer": lambda _: customers.customer_view(store, customer) if customer else None,
        "purchasingEntity": lambda _: customers.customer_view(store, customer) if customer else None,
        "shippingAddress": address_field(draft["shipping_address"]),
        "billingAddress": address_field(draft["billing_address"]),
        "billingAddressMatchesShippingAddress": same_address(draft["billing_address"], draft["shipping_address"]),
        "shippingLine": lambda _: orders.shipping_line_view(shipping, currency) if shipping else None,
        "appliedDiscount": applied_discount_view(draft["applied_discount"], currency),
        "lineItems": lambda info, **args: connection(
            info, lines, lambda line: draft_line_view(store, draft, line), sort_key=in_given_order(lines), **args,
        ),
        "totalLineItemsPriceSet": total("line_items"), "lineItemsSubtotalPrice": total("lines_subtotal"),
        "subtotalPriceSet": total("subtotal"), "totalDiscountsSet": total("discounts"),
        "totalShippingPriceSet": total("shipping"), "totalTaxSet": total("tax"), "totalPriceSet": total("total"),
        "totalQuantityOfLineItems": sum(line["quantity"] for line in lines),
        "totalWeight": str(sum(line["grams"] * line["quantity"] for line in lines)),
        "taxExempt": draft["tax_exempt"], "taxesIncluded": False, "taxLines": [],
        "currencyCode": currency, "presentmentCurrencyCode": currency,
        "reserveInventoryUntil": graphql_datetime(draft["reserve_until"]),
        "visibleToCustomer": draft["visible_to_customer"], "poNumber": draft["po_number"],
        "acceptAutomaticDiscounts": draft["accept_automatic_discounts"],
        "allowDiscountCodesInCheckout": draft["allow_discount_codes_in_checkout"],
        "allVariantPricesOverridden": bool(lines) and all(line["price_override"] is not None for line in lines),
        "anyVariantPricesOverridden": any(line["price_override"] is not None for line in lines),
        "discountCodes": [], "platformDiscounts": [], "warnings": [], "hasTimelineComment": False,
        "paymentTerms": None, "transformerFingerprint": None,
        "defaultCursor": encode_cursor([draft["id"]]),
    }


def _status_matches(draft: dict, term: search.Term) -> bool:
    value = term.value.lower()
    if value not in ("open", "completed", "invoice_sent"):
        raise not_implemented(f"the draft order status filter `{term.value}`")
    return draft["status"] == value.upper()


def draft_search_fields() -> dict:
    return {
        "default": search.contains([lambda d: d["name"], lambda d: d["email"], lambda d: d["tags"]]),
        "tag": search.tags(lambda d: d["tags"]),
        "status": _status_matches,
        "customer_id": search.number(lambda d: d["customer_id"]),
        "id": search.number(lambda d: d["id"]),
        "source": search.text(lambda d: d["source_name"]),
        "created_at": search.date(lambda d: d["created_at"]),
        "updated_at": search.date(lambda d: d["updated_at"]),
    }


def _customer_name(store: Store, draft: dict) -> str:
    customer = store.customers.get(draft["customer_id"]) if draft["customer_id"] else None
    return " ".join(p for p in (customer["first_name"], customer["last_name"]) if p).lower() if customer else ""


DRAFT_SORTS = {
    "ID": lambda store, d: [d["id"]],
    "RELEVANCE": lambda store, d: [d["id"]],
    "NUMBER": lambda store, d: [int(d["name"].lstrip("#D")), d["id"]],
    "UPDATED_AT": lambda store, d: [d["updated_at"].timestamp(), d["id"]],
    "STATUS": lambda store, d: [d["status"], d["id"]],
    "TOTAL_PRICE": lambda store, d: [float(d["totals"]["total"] or ZERO), d["id"]],
    "CUSTOMER_NAME": lambda store, d: [_customer_name(store, d), d["id"]],
}


def search_drafts(records: list[dict], query: str | None) -> list[dict]:
    return search.filter_records(records, query, draft_search_fields(), "draft orders")


def drafts_connection(store: Store, info: GraphQLResolveInfo, query: str | None = None, sortKey: str = "ID",
                      savedSearchId: str | None = None, **args) -> dict:
    if savedSearchId:
        raise not_implemented("saved searches")
    found = search_drafts(list(store.draft_orders.values()), query)
    return connection(info, found, lambda d: draft_view(store, d),
                      sort_key=lambda d: DRAFT_SORTS[sortKey](store, d), **args)
