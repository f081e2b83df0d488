"""Planning a replacement: a pure function of the original order and the request.

The order is the Admin GraphQL shape read by documents.ORDER_FOR_REPLACEMENT; the request
is the small dict the tasks carry. No I/O here: tests use plain dicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from core.errors import PermanentFailure

DISCOUNT_TITLE = "Replacement"
REFUND_SOURCE = "refund"
SHIPPING_TITLE = "Replacement shipping"
TAG_UNSAFE = re.compile(r"[^a-z0-9_-]+")
ADDRESS_FIELDS = ("firstName", "lastName", "company", "address1", "address2", "city",
                  "provinceCode", "zip", "phone")


class PlanError(PermanentFailure):
    """The request cannot become a replacement; the message says why."""


@dataclass(frozen=True)
class PlannedLine:
    line_item_id: str
    variant_id: str
    sku: str | None
    title: str
    quantity: int
    unit_price: Decimal
    requires_shipping: bool = True


@dataclass(frozen=True)
class Plan:
    lines: tuple[PlannedLine, ...]
    currency: str
    draft_input: dict
    approval: str | None = None  # a reason's preset may say "complete" or "draft" (see replacements/presets.py)

    @property
    def retail_value(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0.00"))

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def order_number(order: dict) -> str:
    """The order's name as it goes into tags and search terms: `#1001` -> `1001`, `EN1001` -> `en1001`,
    `1001 A` -> `1001-a`. Names are free-form; tags and search values stay within [a-z0-9_-], which
    Shopify's search syntax takes without escaping."""
    return TAG_UNSAFE.sub("-", str(order["name"]).lstrip("#").strip().lower())


def plan_replacement(order: dict, request: dict, extra_tags: tuple[str, ...] = (),
                     reserve_until: str | None = None, held_because: tuple[str, ...] = ()) -> Plan:
    if order.get("cancelledAt"):
        raise PlanError(f"order {order['name']} is cancelled")
    lines = select_lines(order, request.get("lines"), refunded=request.get("source") == REFUND_SOURCE)
    if any(line.requires_shipping for line in lines) and not _shipping_address(order, request):
        raise PlanError(f"order {order['name']} has no shipping address to send the replacement to (or the app "
                        f"cannot read it: grant it protected customer data access to addresses); give one with "
                        f"the request")
    currency = order["currencyCode"]
    planned = tuple(lines)
    return Plan(planned, currency, _draft_input(order, request, planned, currency, extra_tags, reserve_until,
                                                   held_because),
                approval=request.get("approval"))


def select_lines(order: dict, requested: list[dict] | None, refunded: bool = False) -> list[PlannedLine]:
    """`refunded`: the requested units were refunded, so they count against the quantity bought."""
    order_lines = order["lineItems"]["nodes"]
    if requested:
        chosen = [(_find_line(order_lines, item), item) for item in requested]
        planned = [_planned(line, _requested_quantity(line, item, refunded)) for line, item in chosen]
        return _merge_same_line(planned)
    planned = [
        _planned(line, line["currentQuantity"])
        for line in order_lines
        if line["currentQuantity"] > 0 and line.get("requiresShipping") and not line.get("isGiftCard")
    ]
    if not planned:
        raise PlanError(f"order {order['name']} has no shippable line left to replace")
    return planned


def _find_line(order_lines: list[dict], item: dict) -> dict:
    for key, matches in (
        ("line_item_id", lambda line, v: _same_id(line["id"], v)),
        ("variant_id", lambda line, v: line.get("variant") and _same_id(line["variant"]["id"], v)),
        ("sku", lambda line, v: line.get("sku") and line["sku"] == str(v)),
    ):
        if item.get(key) is not None:
            found = [line for line in order_lines if matches(line, item[key])]
            if not found:
                raise PlanError(f"the order has no line with {key.replace('_', ' ')} {item[key]}")
            return max(found, key=lambda line: line["currentQuantity"])
    raise PlanError("a requested line names no line item id, variant id or SKU")


def _requested_quantity(line: dict, item: dict, refunded: bool) -> int:
    # A refund has already taken its units out of currentQuantity.
    held = line["quantity"] if refunded else line["currentQuantity"]
    quantity = item.get("quantity")
    if quantity is None:
        quantity = held
    if quantity < 1:
        raise PlanError(f"line {_label(line)}: nothing left to replace")
    if quantity > held:
        raise PlanError(f"line {_label(line)}: {quantity} requested but the order {'bought' if refunded else 'holds'}"
                        f" {held}")
    return quantity


def _merge_same_line(planned: list[PlannedLine]) -> list[PlannedLine]:
    seen: dict[str, PlannedLine] = {}
    for line in planned:
        if line.line_item_id in seen:
            raise PlanError(f"line {line.sku or line.title} is named twice")
        seen[line.line_item_id] = line
    return list(seen.values())


def _planned(line: dict, quantity: int) -> PlannedLine:
    if not line.get("variant"):
        raise PlanError(f"line {_label(line)}: its product variant no longer exists")
    if (line["variant"].get("product") or {}).get("requiresSellingPlan"):
        # DraftOrderInput.lineItems: "Draft orders don't currently support subscriptions."
        raise PlanError(f"line {_label(line)}: its product is sold by subscription only (it requires a selling "
                        f"plan), and Shopify draft orders cannot hold subscription lines: replace it by hand")
    money = line["originalUnitPriceSet"]["shopMoney"]
    return PlannedLine(line["id"], line["variant"]["id"], line.get("sku"), line["title"], quantity,
                       Decimal(str(money["amount"])), bool(line.get("requiresShipping", True)))


def _label(line: dict) -> str:
    return line.get("sku") or line.get("title") or line["id"]


def _same_id(gid: str, value) -> bool:
    value = str(value)
    return gid == value or gid.rsplit("/", 1)[-1] == value


def _draft_input(order: dict, request: dict, lines: tuple[PlannedLine, ...], currency: str,
                 extra_tags: tuple[str, ...], reserve_until: str | None, held_because: tuple[str, ...]) -> dict:
    name = order["name"]
    reason = (request.get("reason") or "").strip() or "replacement requested"
    source = request.get("source_label") or request.get("source") or "unknown"
    draft = {
        "lineItems": [
            {
                "variantId": line.variant_id,
                "quantity": line.quantity,
                "priceOverride": {"amount": str(line.unit_price), "currencyCode": currency},
                "appliedDiscount": {"valueType": "PERCENTAGE", "value": 100.0, "title": DISCOUNT_TITLE},
            }
            for line in lines
        ],
        "tags": list(dict.fromkeys(["replacement", f"replacement-for-{order_number(order)}", *extra_tags,
                                    *request.get("extra_tags", ())])),
        "note": f"Replacement for {name}: {reason} (via {source})"
                + (f". Held: {'; '.join(held_because)}" if held_because else ""),
        # An automatic discount must never touch a replacement (Shopify states no default).
        "acceptAutomaticDiscounts": False,
        "customAttributes": [
            {"key": "Replacement for", "value": name},
            {"key": "Replacement reason", "value": request.get("reason_code") or reason},
            {"key": "Replacement request", "value": request["request_id"]},
        ],
    }
    if request.get("shipping", "zero") != "none":
        draft["shippingLine"] = {"title": shipping_title(order, request),
                                 "priceWithCurrency": {"amount": "0.00", "currencyCode": currency}}
    if order.get("email"):
        draft["email"] = order["email"]
    if order.get("customer"):
        draft["purchasingEntity"] = {"customerId": order["customer"]["id"]}
    shipping = _shipping_address(order, request)
    if shipping:
        draft["shippingAddress"] = shipping
    billing = mailing_address_input(order.get("billingAddress"))
    if billing:
        draft["billingAddress"] = billing
    if reserve_until:
        draft["reserveInventoryUntil"] = reserve_until
    return draft


def _shipping_address(order: dict, request: dict) -> dict | None:
    return request.get("shipping_address") or mailing_address_input(order.get("shippingAddress"))


def shipping_title(order: dict, request: dict) -> str:
    """The preset's title; else, in `original` mode, the original's method (the warehouse keeps
    the service level); else the contract's `Replacement shipping`."""
    if request.get("shipping_title"):
        return request["shipping_title"]
    original = (order.get("shippingLine") or {}).get("title")
    if request.get("shipping") == "original" and original:
        return original
    return SHIPPING_TITLE


def mailing_address_input(address: dict | None) -> dict | None:
    """MailingAddress (output) to MailingAddressInput: countryCodeV2 becomes countryCode."""
    if not address:
        return None
    result = {key: address[key] for key in ADDRESS_FIELDS if address.get(key)}
    if address.get("countryCodeV2"):
        result["countryCode"] = address["countryCodeV2"]
    return result or None
