"""Orders, their line items, shipping lines, discounts and refunds; order search and sorting."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from graphql import GraphQLResolveInfo

from sandbox import search
from sandbox.dates import graphql_datetime
from sandbox.errors import not_implemented
from sandbox.ids import gid
from sandbox.money import ZERO, money_bag, rest_amount, to_money
from sandbox.pagination import connection, in_given_order, limited
from sandbox.store import Store
from sandbox.transactions import order_transactions
from sandbox.views import catalog, customers
from sandbox.views.common import address_field, attributes, bag_field, money, same_address

# Protected customer data (name, email, phone, address) an app reads only when granted. Without it
# the sandbox answers null; whether Shopify answers null or ACCESS_DENIED is unconfirmed.
PROTECTED_FIELDS = ("customer", "purchasingEntity", "email", "phone", "shippingAddress", "billingAddress",
                    "displayAddress")


def _customer(store: Store, customer_id: int | None) -> dict | None:
    customer = store.customers.get(customer_id) if customer_id else None
    return customers.customer_view(store, customer) if customer else None


def application_view(application: dict, currency: str) -> dict:
    if application["value_type"] == "PERCENTAGE":
        value = {"__typename": "PricingPercentageValue", "percentage": float(application["value"])}
    else:
        value = {"__typename": "MoneyV2", **money(application["value"], currency)}
    view = {
        "allocationMethod": application["allocation_method"], "index": application["index"],
        "targetSelection": application["target_selection"], "targetType": application["target_type"],
        "value": value,
    }
    if application["type"] == "discount_code":
        return {"__typename": "DiscountCodeApplication", "code": application["code"], **view}
    if application["type"] == "manual":
        return {"__typename": "ManualDiscountApplication", "title": application["title"],
                "description": application["description"], **view}
    typename = "AutomaticDiscountApplication" if application["type"] == "automatic" else "ScriptDiscountApplication"
    return {"__typename": typename, "title": application["title"], **view}


def line_item_view(store: Store, order: dict, line: dict) -> dict:
    currency = order["currency"]
    quantity = line["quantity"]
    original_total = line["price"] * quantity
    discounted_total = original_total - line["discount"]
    unit_after_discounts = to_money(discounted_total / quantity) if quantity else line["price"]
    unfulfilled = max(0, line["current_quantity"] - line["fulfilled_quantity"])
    variant = store.variants.get(line["variant_id"]) if line["variant_id"] else None
    product = store.products.get(line["product_id"]) if line["product_id"] else None
    return {
        "__typename": "LineItem",
        "id": gid("LineItem", line["id"]), "name": line["name"], "title": line["title"],
        "variantTitle": line["variant_title"], "sku": line["sku"], "vendor": line["vendor"],
        "quantity": quantity, "currentQuantity": line["current_quantity"], "unfulfilledQuantity": unfulfilled,
        "refundableQuantity": line["current_quantity"],
        "nonFulfillableQuantity": quantity - line["current_quantity"] if line["requires_shipping"] else quantity,
        "requiresShipping": line["requires_shipping"], "isGiftCard": line["gift_card"], "taxable": line["taxable"],
        "restockable": variant is not None and line["current_quantity"] > 0, "merchantEditable": True,
        "variant": lambda _: catalog.variant_view(store, variant) if variant else None,
        "product": lambda _: catalog.product_view(store, product) if product else None,
        "sellingPlan": _selling_plan(line, product),
        "customAttributes": attributes(line["custom_attributes"]),
        "originalUnitPriceSet": bag_field(line["price"], currency),
        "originalTotalSet": bag_field(original_total, currency),
        "discountedUnitPriceSet": bag_field(unit_after_discounts, currency),
        "discountedUnitPriceAfterAllDiscountsSet": bag_field(unit_after_discounts, currency),
        "discountedTotalSet": lambda _, withCodeDiscounts=False: money_bag(discounted_total, currency),
        "totalDiscountSet": bag_field(line["discount"], currency),
        "unfulfilledOriginalTotalSet": bag_field(line["price"] * unfulfilled, currency),
        "unfulfilledDiscountedTotalSet": bag_field(unit_after_discounts * unfulfilled, currency),
        "discountAllocations": lambda _: [
            {"allocatedAmountSet": money_bag(a["amount"], currency),
             "discountApplication": application_view(order["discount_applications"][a["application_index"]], currency)}
            for a in line["allocations"]
        ],
        "duties": [],
    }


def _selling_plan(line: dict, product: dict | None) -> dict | None:
    """A line bought on a subscription; a product sold on subscription only is never bought otherwise."""
    if not (line.get("selling_plan") or (product and product["requires_selling_plan"])):
        return None
    return {"name": "Subscription", "sellingPlanId": gid("SellingPlan", line["product_id"] or line["id"])}


def shipping_line_view(line: dict, currency: str) -> dict:
    return {
        "__typename": "ShippingLine",
        "id": gid("ShippingLine", line["id"]) if line.get("id") else None, "title": line["title"],
        "code": line.get("code"), "source": line.get("source"), "custom": line.get("source") != "shopify",
        "carrierIdentifier": line.get("carrier_identifier"), "deliveryCategory": None, "phone": None,
        "shippingRateHandle": None, "isRemoved": line.get("is_removed", False),
        "originalPriceSet": bag_field(line["price"], currency),
        "discountedPriceSet": bag_field(line.get("discounted_price", line["price"]), currency),
        "currentDiscountedPriceSet": bag_field(line.get("discounted_price", line["price"]), currency),
        "discountAllocations": [], "taxLines": [],
    }


def refund_view(store: Store, refund: dict) -> dict:
    order = store.orders[refund["order_id"]]
    currency = order["currency"]
    lines_by_id = {line["id"]: line for line in order["line_items"]}

    def refund_line(entry: dict) -> dict:
        line = lines_by_id[entry["line_item_id"]]
        location = store.locations.get(entry["location_id"]) if entry["location_id"] else None
        return {
            "__typename": "RefundLineItem",
            "id": gid("RefundLineItem", entry["id"]), "quantity": entry["quantity"],
            "restockType": entry["restock_type"], "restocked": entry["location_id"] is not None,
            "lineItem": lambda _: line_item_view(store, order, line),
            "location": lambda _: catalog.location_view(store, location) if location else None,
            "priceSet": bag_field(line["price"], currency), "subtotalSet": bag_field(entry["subtotal"], currency),
            "totalTaxSet": bag_field(entry["total_tax"], currency),
        }

    return {
        "__typename": "Refund",
        "id": gid("Refund", refund["id"]), "legacyResourceId": str(refund["id"]), "note": refund["note"],
        "createdAt": graphql_datetime(refund["created_at"]), "updatedAt": graphql_datetime(refund["created_at"]),
        "processedAt": graphql_datetime(refund["processed_at"]),
        "order": lambda _: order_view(store, order),
        "refundLineItems": lambda info, **args: connection(info, refund["line_items"], refund_line, **args),
        "totalRefundedSet": bag_field(refund["total"], currency),
        "staffMember": None, "return": None, "duties": [],
    }


def transaction_view(transaction: dict, currency: str) -> dict:
    return {
        "__typename": "OrderTransaction", "id": gid("OrderTransaction", transaction["id"]),
        "kind": transaction["kind"], "status": transaction["status"], "gateway": transaction["gateway"],
        "formattedGateway": transaction["gateway"].replace("_", " ").title(),
        "manualPaymentGateway": transaction["gateway"] == "manual", "test": False,
        "amountSet": bag_field(transaction["amount"], currency),
        "createdAt": graphql_datetime(transaction["created_at"]),
        "processedAt": graphql_datetime(transaction["created_at"]),
    }


def order_view(store: Store, order: dict) -> dict:
    currency = order["currency"]
    totals = order["totals"]
    lines = order["line_items"]
    shipping_lines = [line for line in order["shipping_lines"] if not line["is_removed"]]
    received = totals["total"] - totals["outstanding"]
    open_order = order["cancelled_at"] is None

    def total(key: str) -> Callable[..., dict]:
        return bag_field(totals[key], currency)

    def cart_discount() -> Decimal:
        across = {a["index"] for a in order["discount_applications"] if a["target_selection"] == "ALL"}
        return sum((a["amount"] for line in lines for a in line["allocations"] if a["application_index"] in across),
                   ZERO)

    view = {
        "__typename": "Order",
        "id": gid("Order", order["id"]), "legacyResourceId": str(order["id"]), "name": order["name"],
        "number": order["number"], "tags": list(order["tags"]), "email": order["email"], "phone": order["phone"],
        "note": order["note"], "customAttributes": attributes(order["custom_attributes"]),
        "createdAt": graphql_datetime(order["created_at"]), "updatedAt": graphql_datetime(order["updated_at"]),
        "processedAt": graphql_datetime(order["processed_at"]), "cancelledAt": graphql_datetime(order["cancelled_at"]),
        "cancelReason": order["cancel_reason"], "closed": order["closed_at"] is not None,
        "closedAt": graphql_datetime(order["closed_at"]), "confirmed": order["confirmed"], "test": order["test"],
        "currencyCode": currency, "presentmentCurrencyCode": currency,
        "sourceName": order["source_name"], "sourceIdentifier": order["source_identifier"],
        "poNumber": order["po_number"], "confirmationNumber": None, "clientIp": None, "customerLocale": None,
        "customerAcceptsMarketing": False, "canNotifyCustomer": bool(order["email"]),
        "customer": lambda _: _customer(store, order["customer_id"]),
        "purchasingEntity": lambda _: _customer(store, order["customer_id"]),
        "shippingAddress": address_field(order["shipping_address"]),
        "billingAddress": address_field(order["billing_address"]),
        "displayAddress": address_field(order["billing_address"] or order["shipping_address"]),
        "billingAddressMatchesShippingAddress": lambda _: same_address(order["billing_address"],
                                                                       order["shipping_address"]),
        "shippingLine": lambda _: shipping_line_view(shipping_lines[0], currency) if shipping_lines else None,
        "shippingLines": lambda info, includeRemovals=False, **args: connection(
            info, order["shipping_lines"] if includeRemovals else shipping_lines,
            lambda line: shipping_line_view(line, currency), **args,
        ),
        "lineItems": lambda info, **args: connection(
            info, lines, lambda line: line_item_view(store, order, line), sort_key=in_given_order(lines), **args,
        ),
        "subtotalLineItemsQuantity": sum(line["quantity"] for line in lines),
        "currentSubtotalLineItemsQuantity": sum(line["current_quantity"] for line in lines),
        "subtotalPriceSet": total("subtotal"), "currentSubtotalPriceSet": total("current_subtotal"),
        "totalPriceSet": total("total"), "currentTotalPriceSet": total("current_total"),
        "originalTotalPriceSet": total("total"),
        "totalDiscountsSet": total("discounts"), "currentTotalDiscountsSet": total("current_discounts"),
        "cartDiscountAmountSet": lambda _: money_bag(cart_discount(), currency),
        "currentCartDiscountAmountSet": lambda _: money_bag(cart_discount(), currency),
        "totalShippingPriceSet": total("shipping"), "currentShippingPriceSet": total("shipping"),
        "totalTaxSet": total("tax"), "currentTotalTaxSet": total("current_tax"),
        "totalRefundedSet": total("refunded"),
        "totalRefundedShippingSet": lambda _: money_bag(
            sum((store.refunds[r]["shipping"] for r in order["refund_ids"]), ZERO), currency
        ),
        "totalReceivedSet": bag_field(received, currency),
        "netPaymentSet": bag_field(received - totals["refunded"], currency),
        "totalOutstandingSet": total("outstanding"), "totalCapturableSet": bag_field(ZERO, currency),
        "totalTipReceivedSet": bag_field(ZERO, currency),
        "totalPrice": rest_amount(totals["total"]), "subtotalPrice": rest_amount(totals["subtotal"]),
        "totalDiscounts": rest_amount(totals["discounts"]), "totalTax": rest_amount(totals["tax"]),
        "totalShippingPrice": rest_amount(totals["shipping"]),
        "displayFinancialStatus": order["financial_status"],
        "displayFulfillmentStatus": order["fulfillment_status"],
        "fullyPaid": totals["outstanding"] == 0, "unpaid": order["financial_status"] in ("PENDING", "AUTHORIZED"),
        "canMarkAsPaid": order["financial_status"] in ("PENDING", "PARTIALLY_PAID") and open_order,
        "capturable": False,
        "discountCode": order["discount_codes"][0] if order["discount_codes"] else None,
        "discountCodes": list(order["discount_codes"]),
        "discountApplications": lambda info, **args: connection(
            info, order["discount_applications"], lambda a: application_view(a, currency),
            sort_key=lambda a: [a["index"]], **args,
        ),
        "taxesIncluded": order["taxes_included"], "taxExempt": False, "dutiesIncluded": False,
        "estimatedTaxes": False,
        "requiresShipping": any(line["requires_shipping"] and line["current_quantity"] > 0 for line in lines),
        "fulfillable": open_order and any(
            line["requires_shipping"] and line["current_quantity"] > line["fulfilled_quantity"] for line in lines
        ),
        "restockable": any(line["variant_id"] and line["current_quantity"] > 0 for line in lines),
        "refundable": received - totals["refunded"] > 0,
        "edited": False, "merchantEditable": open_order, "merchantEditableErrors": [],
        "refunds": lambda _, first=None: [
            refund_view(store, store.refunds[refund_id]) for refund_id in limited(order["refund_ids"], first)
        ],
        "paymentGatewayNames": list(order["payment_gateway_names"]),
        "transactions": lambda _, first=None, capturable=None, manuallyResolvable=None: [
            transaction_view(t, currency) for t in limited(order_transactions(store, order), first)
            if not (capturable or manuallyResolvable)  # nothing is capturable or open: both filters match none
        ],
        "totalWeight": str(sum(line["grams"] * line["quantity"] for line in lines)),
        "currentTotalWeight": str(sum(line["grams"] * line["current_quantity"] for line in lines)),
        "returnStatus": "NO_RETURN", "hasTimelineComment": False, "productNetwork": False,
        "registeredSourceUrl": None,
    }
    if not store.config.protected_customer_data:
        view.update(dict.fromkeys(PROTECTED_FIELDS))
    return view


def _name_matches(order: dict, term: search.Term) -> bool:
    wanted = search.Term(term.field, term.op, term.value.lstrip("#"))
    return search.text(lambda o: o["name"].lstrip("#"))(order, wanted)


def _status_matches(order: dict, term: search.Term) -> bool:
    states = {
        "open": order["closed_at"] is None and order["cancelled_at"] is None,
        "closed": order["closed_at"] is not None,
        "cancelled": order["cancelled_at"] is not None,
        "not_closed": order["closed_at"] is None,
        "any": True,
    }
    if term.value.lower() not in states:
        raise not_implemented(f"the order status filter `{term.value}`")
    return states[term.value.lower()]


_FULFILLMENT = {"shipped": "FULFILLED", "fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED",
                "unshipped": "UNFULFILLED", "unfulfilled": "UNFULFILLED"}


def _fulfillment_matches(order: dict, term: search.Term) -> bool:
    value = term.value.lower()
    return value == "any" or order["fulfillment_status"] == _FULFILLMENT.get(value, value.upper())


def _customer_name(store: Store, order: dict) -> str:
    customer = store.customers.get(order["customer_id"]) if order["customer_id"] else None
    return " ".join(p for p in (customer["first_name"], customer["last_name"]) if p) if customer else ""


def order_search_fields(store: Store) -> dict:
    return {
        "default": search.contains([lambda o: o["name"], lambda o: o["email"], lambda o: o["tags"],
                                    lambda o: _customer_name(store, o)]),
        "tag": search.tags(lambda o: o["tags"]),
        "tag_not": search.tags(lambda o: o["tags"], negated=True),
        "name": _name_matches,
        "email": search.text(lambda o: o["email"]),
        "customer_id": search.number(lambda o: o["customer_id"]),
        "id": search.number(lambda o: o["id"]),
        "status": _status_matches,
        "financial_status": search.text(lambda o: o["financial_status"].lower()),
        "fulfillment_status": _fulfillment_matches,
        "source_name": search.text(lambda o: o["source_name"]),
        "created_at": search.date(lambda o: o["created_at"]),
        "updated_at": search.date(lambda o: o["updated_at"]),
        "processed_at": search.date(lambda o: o["processed_at"]),
        "sku": search.text(lambda o: [line["sku"] for line in o["line_items"]]),
        "test": search.text(lambda o: str(o["test"]).lower()),
    }


def order_sort_keys(store: Store) -> dict:
    return {
        "ID": lambda o: [o["id"]],
        "RELEVANCE": lambda o: [o["id"]],
        "CREATED_AT": lambda o: [o["created_at"].timestamp(), o["id"]],
        "UPDATED_AT": lambda o: [o["updated_at"].timestamp(), o["id"]],
        "PROCESSED_AT": lambda o: [o["processed_at"].timestamp(), o["id"]],
        "ORDER_NUMBER": lambda o: [o["order_number"], o["id"]],
        "TOTAL_PRICE": lambda o: [float(o["totals"]["total"]), o["id"]],
        "CURRENT_TOTAL_PRICE": lambda o: [float(o["totals"]["current_total"]), o["id"]],
        "CUSTOMER_NAME": lambda o: [_customer_name(store, o).lower(), o["id"]],
        "FINANCIAL_STATUS": lambda o: [o["financial_status"], o["id"]],
        "FULFILLMENT_STATUS": lambda o: [o["fulfillment_status"], o["id"]],
        "PO_NUMBER": lambda o: [o["po_number"] or "", o["id"]],
        "TOTAL_ITEMS_QUANTITY": lambda o: [sum(line["quantity"] for line in o["line_items"]), o["id"]],
    }


def search_orders(store: Store, records: list[dict], query: str | None) -> list[dict]:
    return search.filter_records(records, query, order_search_fields(store), "orders")


def orders_connection(store: Store, info: GraphQLResolveInfo, records: list[dict], query: str | None = None,
                      sortKey: str = "PROCESSED_AT", savedSearchId: str | None = None, **args) -> dict:
    if savedSearchId:
        raise not_implemented("saved searches")
    sorts = order_sort_keys(store)
    if sortKey not in sorts:
        raise not_implemented(f"sorting orders by {sortKey}")
    found = search_orders(store, records, query)
    return connection(info, found, lambda o: order_view(store, o), sort_key=sorts[sortKey], **args)
