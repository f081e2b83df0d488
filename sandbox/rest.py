"""Orders and refunds as REST bodies: what Shopify's orders/* and refunds/create webhooks carry.

The seed order starts from Shopify's own sample and overlays what can change; other orders are
rendered in the sample's shape from their records.
"""

from __future__ import annotations

import copy
import hashlib

from sandbox import addresses
from sandbox.dates import rest_datetime
from sandbox.ids import gid
from sandbox.money import ZERO, rest_amount, rest_money_set
from sandbox.store import Store
from sandbox.tags import rest_string


def _token(order: dict) -> str:
    return hashlib.md5(str(order["id"]).encode()).hexdigest()


def render_order(store: Store, order: dict) -> dict:
    body = copy.deepcopy(order["rest_base"]) if order["rest_base"] else _static_order(store, order)
    body.update(_live_order(store, order))
    return body


def _static_order(store: Store, order: dict) -> dict:
    currency = order["currency"]
    totals = order["totals"]
    zero = rest_money_set(ZERO, currency)
    customer = store.customers.get(order["customer_id"]) if order["customer_id"] else None
    return {
        "id": order["id"], "admin_graphql_api_id": gid("Order", order["id"]), "app_id": None, "browser_ip": None,
        "buyer_accepts_marketing": False, "cancel_reason": None, "cancelled_at": None, "cart_token": None,
        "checkout_id": None, "checkout_token": None, "client_details": None, "closed_at": None,
        "confirmation_number": None, "confirmed": order["confirmed"], "contact_email": order["email"],
        "created_at": rest_datetime(order["created_at"]), "currency": currency,
        "current_subtotal_price": None, "current_subtotal_price_set": None,
        "current_total_additional_fees_set": None, "current_total_discounts": None,
        "current_total_discounts_set": None, "current_total_duties_set": None, "current_total_price": None,
        "current_total_price_set": None, "current_total_tax": None, "current_total_tax_set": None,
        "customer_locale": None, "device_id": None,
        "discount_codes": [
            {"code": code, "amount": "0.00", "type": "fixed_amount"} for code in order["discount_codes"]
        ],
        "duties_included": False, "email": order["email"], "estimated_taxes": False, "financial_status": None,
        "fulfillment_status": None, "landing_site": None, "landing_site_ref": None, "location_id": None,
        "merchant_business_entity_id": None, "merchant_of_record_app_id": None, "name": order["name"],
        "note": order["note"], "note_attributes": [], "number": order["number"],
        "order_number": order["order_number"],
        "order_status_url": f"https://{store.shop['domain']}/orders/{_token(order)}/authenticate",
        "original_total_additional_fees_set": None, "original_total_duties_set": None,
        "payment_gateway_names": list(order["payment_gateway_names"]), "phone": order["phone"],
        "po_number": order["po_number"], "presentment_currency": currency,
        "processed_at": rest_datetime(order["processed_at"]), "reference": None, "referring_site": None,
        "source_identifier": order["source_identifier"], "source_name": order["source_name"], "source_url": None,
        "subtotal_price": rest_amount(totals["subtotal"]),
        "subtotal_price_set": rest_money_set(totals["subtotal"], currency),
        "tags": "", "tax_exempt": False, "tax_lines": [], "taxes_included": order["taxes_included"],
        "test": order["test"], "token": _token(order), "total_cash_rounding_payment_adjustment_set": zero,
        "total_cash_rounding_refund_adjustment_set": copy.deepcopy(zero),
        "total_discounts": rest_amount(totals["discounts"]),
        "total_discounts_set": rest_money_set(totals["discounts"], currency),
        "total_line_items_price": rest_amount(totals["line_items"]),
        "total_line_items_price_set": rest_money_set(totals["line_items"], currency),
        "total_outstanding": None, "total_price": rest_amount(totals["total"]),
        "total_price_set": rest_money_set(totals["total"], currency),
        "total_shipping_price_set": rest_money_set(totals["shipping"], currency),
        "total_tax": rest_amount(totals["tax"]), "total_tax_set": rest_money_set(totals["tax"], currency),
        "total_tip_received": "0.00",
        "total_weight": sum(line["grams"] * line["quantity"] for line in order["line_items"]),
        "updated_at": None, "user_id": None, "billing_address": None,
        "customer": _customer(customer),
        "discount_applications": [_application(a) for a in order["discount_applications"]],
        "fulfillments": [], "line_items": [], "payment_terms": None, "refunds": [], "shipping_address": None,
        "shipping_lines": [_shipping_line(line, currency) for line in order["shipping_lines"]],
    }


def _live_order(store: Store, order: dict) -> dict:
    currency = order["currency"]
    totals = order["totals"]
    base_lines = {line["id"]: line for line in (order["rest_base"] or {}).get("line_items", [])}
    fulfillment = order["fulfillment_status"]
    return {
        "cancel_reason": order["cancel_reason"].lower() if order["cancel_reason"] else None,
        "cancelled_at": rest_datetime(order["cancelled_at"]), "closed_at": rest_datetime(order["closed_at"]),
        "contact_email": order["email"], "email": order["email"], "phone": order["phone"], "note": order["note"],
        "current_subtotal_price": rest_amount(totals["current_subtotal"]),
        "current_subtotal_price_set": rest_money_set(totals["current_subtotal"], currency),
        "current_total_discounts": rest_amount(totals["current_discounts"]),
        "current_total_discounts_set": rest_money_set(totals["current_discounts"], currency),
        "current_total_price": rest_amount(totals["current_total"]),
        "current_total_price_set": rest_money_set(totals["current_total"], currency),
        "current_total_tax": rest_amount(totals["current_tax"]),
        "current_total_tax_set": rest_money_set(totals["current_tax"], currency),
        "financial_status": order["financial_status"].lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(fulfillment),
        "note_attributes": [{"name": a["key"], "value": a["value"]} for a in order["custom_attributes"]],
        "po_number": order["po_number"], "tags": rest_string(order["tags"]),
        "total_outstanding": rest_amount(totals["outstanding"]), "updated_at": rest_datetime(order["updated_at"]),
        "billing_address": addresses.to_rest(order["billing_address"]),
        "shipping_address": addresses.to_rest(order["shipping_address"]),
        "line_items": [
            {**copy.deepcopy(base_lines[line["id"]]), **_live_line(line)} if line["id"] in base_lines
            else _line(line, currency)
            for line in order["line_items"]
        ],
        "refunds": [render_refund(store, store.refunds[refund_id]) for refund_id in order["refund_ids"]],
    }


def _live_line(line: dict) -> dict:
    fulfillable = line["current_quantity"] - line["fulfilled_quantity"]
    status = "fulfilled" if line["fulfilled_quantity"] and fulfillable <= 0 else None
    return {"current_quantity": line["current_quantity"], "fulfillable_quantity": max(0, fulfillable),
            "fulfillment_status": status}


def _line(line: dict, currency: str) -> dict:
    return {
        "id": line["id"], "admin_graphql_api_id": gid("LineItem", line["id"]), "attributed_staffs": [],
        **_live_line(line), "fulfillment_service": "manual", "gift_card": line["gift_card"], "grams": line["grams"],
        "name": line["name"], "price": rest_amount(line["price"]), "price_set": rest_money_set(line["price"], currency),
        "product_exists": line["product_id"] is not None, "product_id": line["product_id"],
        "properties": [{"name": a["key"], "value": a["value"]} for a in line["custom_attributes"]],
        "quantity": line["quantity"], "requires_shipping": line["requires_shipping"], "sku": line["sku"],
        "taxable": line["taxable"], "title": line["title"],
        # REST's line total_discount is a legacy field; Shopify reports discounts in discount_allocations.
        "total_discount": "0.00", "total_discount_set": rest_money_set(ZERO, currency),
        "variant_id": line["variant_id"],
        "variant_inventory_management": "shopify" if line["variant_id"] else None,
        "variant_title": line["variant_title"], "vendor": line["vendor"], "tax_lines": [], "duties": [],
        "discount_allocations": [
            {"amount": rest_amount(a["amount"]), "amount_set": rest_money_set(a["amount"], currency),
             "discount_application_index": a["application_index"]}
            for a in line["allocations"]
        ],
    }


def _application(application: dict) -> dict:
    body = {
        "target_type": application["target_type"].lower(), "type": application["type"],
        "value": str(application["value"]), "value_type": application["value_type"].lower(),
        "allocation_method": application["allocation_method"].lower(),
        "target_selection": application["target_selection"].lower(),
    }
    if application["type"] == "discount_code":
        body["code"] = application["code"]
    else:
        body.update(title=application["title"], description=application["description"])
    return body


def _shipping_line(line: dict, currency: str) -> dict:
    return {
        "id": line["id"], "carrier_identifier": line["carrier_identifier"], "code": line["code"],
        "discounted_price": rest_amount(line["discounted_price"]),
        "discounted_price_set": rest_money_set(line["discounted_price"], currency), "is_removed": line["is_removed"],
        "phone": None, "price": rest_amount(line["price"]), "price_set": rest_money_set(line["price"], currency),
        "requested_fulfillment_service_id": None, "source": line["source"], "title": line["title"],
        "tax_lines": [], "discount_allocations": [],
    }


def _customer(customer: dict | None) -> dict | None:
    if customer is None:
        return None
    body = copy.deepcopy(customer["rest_base"])
    body.update(email=customer["email"], tags=rest_string(customer["tags"]), note=customer["note"])
    return body


def render_refund(store: Store, refund: dict) -> dict:
    if refund["rest_base"]:
        return copy.deepcopy(refund["rest_base"])
    order = store.orders[refund["order_id"]]
    currency = order["currency"]
    lines_by_id = {line["id"]: line for line in order["line_items"]}
    zero = rest_money_set(ZERO, currency)
    return {
        "id": refund["id"], "order_id": order["id"], "created_at": rest_datetime(refund["created_at"]),
        "note": refund["note"], "user_id": None, "processed_at": rest_datetime(refund["processed_at"]),
        "duties": [], "total_duties_set": zero, "return": None,
        "restock": any(entry["location_id"] is not None for entry in refund["line_items"]),
        "additional_fees": [], "total_additional_fees_set": copy.deepcopy(zero), "refund_shipping_lines": [],
        "admin_graphql_api_id": gid("Refund", refund["id"]), "order_adjustments": [],
        "refund_line_items": [
            {
                "location_id": entry["location_id"], "restock_type": entry["restock_type"].lower(),
                "quantity": entry["quantity"], "id": entry["id"], "line_item_id": entry["line_item_id"],
                "subtotal": float(entry["subtotal"]), "total_tax": float(entry["total_tax"]),
                "subtotal_set": rest_money_set(entry["subtotal"], currency),
                "total_tax_set": rest_money_set(entry["total_tax"], currency),
                "line_item": _line(lines_by_id[entry["line_item_id"]], currency),
            }
            for entry in refund["line_items"]
        ],
        "transactions": [_transaction(refund, order)] if refund["transaction_id"] else [],
    }


def _transaction(refund: dict, order: dict) -> dict:
    moment = rest_datetime(refund["created_at"])
    return {
        "id": refund["transaction_id"], "order_id": order["id"], "kind": "refund", "gateway": "manual",
        "status": "success", "message": None, "created_at": moment, "test": False, "authorization": None,
        "location_id": None, "user_id": None, "parent_id": None, "processed_at": moment, "device_id": None,
        "error_code": None, "source_name": "sandbox", "receipt": {}, "amount": rest_amount(refund["total"]),
        "currency": order["currency"], "payment_id": None, "manual_payment_gateway": True, "amount_rounding": None,
        "admin_graphql_api_id": gid("OrderTransaction", refund["transaction_id"]),
    }
