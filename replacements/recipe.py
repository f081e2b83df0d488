"""The merchant's manual recipe, decided: reason codes, presets, and what to send Shopify about
the original order (return restock, shipping refund, cancellation).

Pure: orders are the Admin GraphQL shapes of ORDER_FOR_REPLACEMENT and ORIGINAL_FOR_RECIPE,
requests the small dicts the tasks carry. worker/recipe_steps.py sends what is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.settings import Settings
from replacements.planner import REFUND_SOURCE, select_lines
from replacements.presets import Preset
from replacements.triggers import Trigger

OTHER = "other"
# Refund notes stay clear of the default REFUND_KEYWORD ("replace"): Shopify sends refunds/create
# for the service's own refunds too, and such a note would ask for another replacement.
STAFF_NOTE_MAX = 255
# Nothing has left the warehouse in these states: cancelling voids the order cleanly.
# The notes of the refunds this service makes; a refunds/create webhook carrying one is our own echo.
SERVICE_REFUND_NOTE = re.compile(r"(Restocked|Shipping refunded) with request \S+")
CANCELLABLE = frozenset({"UNFULFILLED", "OPEN", "RESTOCKED", "ON_HOLD", "SCHEDULED"})
PAYMENTS = ("SALE", "CAPTURE")


@dataclass(frozen=True)
class Refund:
    """A refundCreate input, or None when there is nothing to refund; `summary` goes to the journal."""

    input: dict | None
    summary: str


def reason_from_trigger(trigger: Trigger | None, reasons: tuple[str, ...]) -> dict:
    """`needs-replacement-lost` -> reason lost; an unknown code -> reason `other`, the code kept in the note."""
    if trigger is None or trigger.code is None:
        return {}
    if trigger.code in reasons:
        return {"reason": trigger.code, "reason_code": trigger.code}
    return {"reason": f"{OTHER} ({trigger.code})", "reason_code": OTHER}


def ships_by_original_method(settings: Settings) -> bool:
    """Whether some request may ship by the original's method, so reading its shipping line pays."""
    return settings.replacement_shipping == "original" or any(
        preset.shipping == "original" for preset in settings.presets.values())


def with_recipe(request: dict, settings: Settings) -> dict:
    """The request with its reason code and its preset's choices, fixed when the request is made."""
    code = request.get("reason_code") or _known_code(request.get("reason"), settings.reasons)
    preset = settings.presets.get(code) if code else None
    preset = preset or Preset()
    resolved = {**request, "shipping": preset.shipping or settings.replacement_shipping}
    if code:
        resolved["reason_code"] = code
    if preset.shipping_title:
        resolved["shipping_title"] = preset.shipping_title
    if preset.tags:
        resolved["extra_tags"] = list(preset.tags)
    if preset.approval:
        resolved["approval"] = preset.approval
    if preset.restock_return and request.get("source") != REFUND_SOURCE:
        # A refund that asks for a replacement has taken its units back already, restocked or not.
        resolved["return"] = True
    return resolved


def _known_code(reason: str | None, reasons: tuple[str, ...]) -> str | None:
    code = (reason or "").strip().lower()
    return code if code in reasons else None


def idempotency_key(request_id: str, step: str) -> str:
    """The same for every run of one request's step, so a retried task never refunds twice."""
    return f"replacement:{request_id}:{step}"


def return_refund(order: dict, request: dict, location_id: str | None) -> Refund:
    """A zero-value refund of the replaced lines that puts the returned units back: restock RETURN
    for units that were fulfilled, CANCEL for units that never left (Shopify's RefundLineItemRestockType),
    the fulfilled ones counted first: a customer sends back what they received."""
    by_id = {line["id"]: line for line in order["lineItems"]["nodes"]}
    at = {"locationId": location_id} if location_id else {}
    refund_lines, units = [], []
    for line in select_lines(order, request.get("lines")):
        unfulfilled = by_id[line.line_item_id]["unfulfilledQuantity"]
        returned = min(line.quantity, max(0, by_id[line.line_item_id]["currentQuantity"] - unfulfilled))
        for restock_type, quantity in (("RETURN", returned), ("CANCEL", line.quantity - returned)):
            if quantity:
                refund_lines.append({"lineItemId": line.line_item_id, "quantity": quantity,
                                     "restockType": restock_type, **at})
                units.append(f"{line.sku or line.title} x {quantity} ({restock_type.lower()})")
    refund_input = {
        "orderId": order["id"],
        "note": f"Restocked with request {request['request_id']}",
        "notify": False,
        "refundLineItems": refund_lines,
    }
    return Refund(refund_input, f"restock {', '.join(units)} at {location_id or 'the default location'}")


def shipping_refund(original: dict, request_id: str) -> Refund:
    """What the customer paid for shipping and has not had back, to the payment it came from, in the
    currency they paid in (Shopify wants `currency` when it differs from the shop's)."""
    money = original["totalShippingPriceSet"]["presentmentMoney"]
    refunded = Decimal(str(original["totalRefundedShippingSet"]["presentmentMoney"]["amount"]))
    amount = (Decimal(str(money["amount"])) - refunded).quantize(Decimal("0.01"))
    if amount <= 0:
        return Refund(None, "nothing paid for shipping is left to refund")
    payment = next((t for t in original["transactions"] if t["kind"] in PAYMENTS and t["status"] == "SUCCESS"), None)
    if payment is None:
        return Refund(None, "no successful payment to refund the shipping to")
    refund_input = {
        "orderId": original["id"],
        "currency": money["currencyCode"],
        "note": f"Shipping refunded with request {request_id}",
        "shipping": {"amount": str(amount)},
        "transactions": [{"orderId": original["id"], "parentId": payment["id"], "gateway": payment["gateway"],
                          "kind": "REFUND", "amount": str(amount)}],
    }
    return Refund(refund_input, f"{amount} {money['currencyCode']} to {payment['gateway']}")


def cancel_refusal(original: dict) -> str | None:
    """Why CANCEL_ORIGINAL must not cancel this order, or None when it may."""
    status = original["displayFulfillmentStatus"]
    if original.get("cancelledAt") or status in CANCELLABLE:
        return None
    return (f"order {original['name']} cannot be cancelled: it is {status.lower().replace('_', ' ')} "
            f"(CANCEL_ORIGINAL applies to unfulfilled orders only)")


def cancel_variables(original: dict, draft: dict, request_id: str, refund: bool) -> dict:
    replacement = draft.get("name") or draft["id"].rsplit("/", 1)[-1]
    variables = {
        "orderId": original["id"], "restock": True, "reason": "OTHER",
        "staffNote": f"Replaced by draft order {replacement} (replacement request {request_id})"[:STAFF_NOTE_MAX],
    }
    if refund:
        variables["refundMethod"] = {"originalPaymentMethodsRefund": True}
    return variables
