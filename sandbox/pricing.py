"""Draft order money: line discounts, the order discount, shipping and the totals.

No taxes: the sandbox charges none (Shopify would apply the shop's tax settings). For the
service's zero-cost replacements Shopify owes no tax either, since the subtotal is 0.00.
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.money import ZERO, to_money


def discount_amount(applied: dict | None, base: Decimal, quantity: int = 1) -> Decimal:
    """What an applied discount takes off `base`. FIXED_AMOUNT on a line counts per unit, as in Shopify admin."""
    if applied is None:
        return ZERO
    if applied["value_type"] == "PERCENTAGE":
        amount = to_money(base * Decimal(str(applied["value"])) / 100)
    elif applied.get("amount") is not None:
        amount = to_money(applied["amount"])
    else:
        amount = to_money(Decimal(str(applied["value"])) * quantity)
    return min(amount, base)


def draft_totals(lines: list[dict], order_discount: dict | None, shipping_price: Decimal) -> dict:
    line_items = sum((line["price"] * line["quantity"] for line in lines), ZERO)
    line_discounts = sum((line["discount"] for line in lines), ZERO)
    lines_subtotal = line_items - line_discounts
    order_discount_amount = discount_amount(order_discount, lines_subtotal)
    subtotal = lines_subtotal - order_discount_amount
    tax = ZERO
    return {
        "line_items": to_money(line_items),
        "lines_subtotal": to_money(lines_subtotal),
        "order_discount": order_discount_amount,
        "discounts": to_money(line_discounts + order_discount_amount),
        "subtotal": to_money(subtotal),
        "shipping": to_money(shipping_price),
        "tax": tax,
        "total": to_money(subtotal + shipping_price + tax),
    }


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` in proportion to `weights`, to the cent; the last share takes the rounding."""
    total = sum(weights, ZERO)
    if not weights or total == 0:
        return [ZERO for _ in weights]
    shares = [to_money(amount * weight / total) for weight in weights[:-1]]
    return [*shares, to_money(amount - sum(shares, ZERO))]
