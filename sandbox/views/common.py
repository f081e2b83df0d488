"""Small GraphQL shapes shared by several types."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sandbox import addresses
from sandbox.ids import gid
from sandbox.money import money_bag, money_v2


def bag_field(amount: Decimal, currency: str) -> Callable[..., dict]:
    """A MoneyBag field, formatted only when a query asks for it."""
    return lambda _info: money_bag(amount, currency)


def address_field(record: dict | None) -> Callable[..., dict | None]:
    return lambda _info: address(record)


def money(amount: Decimal | None, currency: str) -> dict | None:
    return None if amount is None else money_v2(amount, currency)


def attributes(custom_attributes: list[dict]) -> list[dict]:
    return [{"key": a["key"], "value": a["value"]} for a in custom_attributes]


def count(value: int) -> dict:
    return {"count": value, "precision": "EXACT"}


def address(record: dict | None) -> dict | None:
    if record is None:
        return None
    country = record["country"]
    return {
        "__typename": "MailingAddress",
        "id": f"{gid('MailingAddress', record['id'])}?model_name=Address",
        "firstName": record["first_name"], "lastName": record["last_name"],
        "name": addresses.full_name(record) or None, "company": record["company"],
        "address1": record["address1"], "address2": record["address2"], "city": record["city"],
        "province": record["province"], "provinceCode": record["province_code"],
        "country": country, "countryCodeV2": record["country_code"], "zip": record["zip"], "phone": record["phone"],
        "latitude": record["latitude"], "longitude": record["longitude"], "coordinatesValidated": False,
        "formatted": lambda _, withName=False, withCompany=True: addresses.formatted_lines(
            record, withName, withCompany
        ),
        "formattedArea": ", ".join(
            part for part in (" ".join(p for p in (record["city"], record["province_code"]) if p), country) if part
        ) or None,
    }


def same_address(left: dict | None, right: dict | None) -> bool:
    if left is None or right is None:
        return left is right
    return all(left[field] == right[field] for field in addresses.FIELDS)
