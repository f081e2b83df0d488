"""Money as Decimal, and the three ways Shopify prints it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def graphql_decimal(amount: Decimal) -> str:
    """GraphQL `Decimal`: Shopify trims trailing zeros but keeps one decimal ("199.0", "0.0", "3.33")."""
    text = format(to_money(amount).normalize(), "f")
    return text if "." in text else f"{text}.0"


def rest_amount(amount: Decimal) -> str:
    """REST bodies and the GraphQL `Money` scalar: two decimals ("199.00")."""
    return f"{to_money(amount):.2f}"


def money_v2(amount: Decimal, currency: str) -> dict:
    return {"amount": graphql_decimal(amount), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict:
    # The sandbox has one currency, so shop and presentment money are the same.
    money = money_v2(amount, currency)
    return {"shopMoney": money, "presentmentMoney": money}


def rest_money_set(amount: Decimal, currency: str) -> dict:
    money = {"amount": rest_amount(amount), "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}
