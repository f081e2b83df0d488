"""What a replacement request may say, checked in one place for every sender: the API and the
helpdesks answer the same 422, with the same message, for the same mistake.

Each check takes the raw value of one field and returns it clean, or raises `Invalid` with its
messages in marshmallow's shape (a list, or a dict by line index or field name), so the API's
schema nests them like its own and `flatten` names the place (`lines[0].quantity`).
Values are read as templated helpdesks render them: ids and quantities may be strings, and a
blank string counts as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from replacements.planner import ADDRESS_FIELDS

# Names are free-form (#1001, EN1001, 1001-A; Shopify's orders(query:) name filter): one word
# with a digit in it. The worker finds the order by its exact name, any case.
ORDER = re.compile(r"^(?:gid://shopify/Order/\d+|#?(?=[^\s]*\d)[A-Za-z0-9][A-Za-z0-9_./-]{0,39})$")
SHOPIFY_ID = re.compile(r"^(?:gid://shopify/\w+/)?\d{1,20}$")
EMAIL = re.compile(r"^[^@\s\"]+@[^@\s\"]+\.[^@\s\"]+$")
QUANTITY = re.compile(r"^[0-9]+$")
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
LINE_TEXT = re.compile(r"^(?:(sku|variant|line):)?\s*(\S+?)(?:\s+x\s*(\d+))?$", re.IGNORECASE)
LINE_KEYS = ("line_item_id", "variant_id", "sku")
LINE_FIELDS = (*LINE_KEYS, "quantity")
TEXT_PREFIXES = {None: "sku", "sku": "sku", "variant": "variant_id", "line": "line_item_id"}
# The MailingAddressInput fields the planner sends Shopify (it reads countryCode apart).
ADDRESS_KEYS = (*ADDRESS_FIELDS, "countryCode")
REQUIRED_ADDRESS_KEYS = ("address1", "countryCode")
REASON_MAX = 500
QUANTITY_MAX = 2**31 - 1  # GraphQL's Int, what draftOrderCreate takes
SKU_MAX = 255


class Invalid(ValueError):
    """A field at fault; `messages` is a list, or a dict of them by line index or field name."""

    def __init__(self, messages: str | list | dict):
        self.messages = [messages] if isinstance(messages, str) else messages
        super().__init__(self.messages)


def present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def text(value) -> str | None:
    """A string or a number as stripped text; None for anything else or a blank."""
    if not present(value) or isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip()


def order_reference(raw) -> str:
    value = text(raw)
    if value is None or not ORDER.match(value):
        raise Invalid("must be an order name like #1001, EN1001 or 1001-A, a number, an id or a gid")
    return value


def customer_email(raw) -> str:
    value = text(raw)
    if value is None or not EMAIL.match(value):
        raise Invalid("must be an email address")
    return value.lower()


def reason(raw) -> str:
    value = text(raw)
    if value is None:
        raise Invalid("must be text")
    return value[:REASON_MAX]


def lines(raw) -> list[dict]:
    """A list of line objects, or text like `SKU-1 x 2, variant:123, line:456`."""
    if isinstance(raw, str):
        items = [item.strip() for item in re.split(r"[,;\n]+", raw) if item.strip()]
        check = _line_from_text
    elif isinstance(raw, list):
        items, check = raw, _line
    else:
        raise Invalid("must be a list of lines, or text like 'SKU-1 x 2, variant:123'")
    if not items:
        raise Invalid("must name at least one line")
    checked, errors = [], {}
    for index, item in enumerate(items):
        try:
            checked.append(check(item))
        except Invalid as invalid:
            errors[index] = invalid.messages
    if errors:
        raise Invalid(errors)
    return checked


def _line_from_text(item: str) -> dict:
    match = LINE_TEXT.match(item)
    if not match:
        raise Invalid(f"{item!r} is not like 'SKU-1 x 2', 'variant:123 x 1' or 'line:456'")
    prefix, value, quantity = match.groups()
    line = {TEXT_PREFIXES[prefix and prefix.lower()]: value}
    if quantity is not None:
        line["quantity"] = quantity
    return _line(line)


def _line(item) -> dict:
    if not isinstance(item, Mapping):
        raise Invalid("must be an object")
    errors: dict[str, list[str]] = {key: ["is not a line field"] for key in item if key not in LINE_FIELDS}
    line = {}
    named = [key for key in LINE_KEYS if present(item.get(key))]
    if len(named) != 1:
        errors["_schema"] = ["must name exactly one of line_item_id, variant_id or sku"]
    else:
        key = named[0]
        value = text(item[key])
        if key == "sku" and (value is None or len(value) > SKU_MAX):
            errors[key] = [f"must be a SKU: a string or a number of at most {SKU_MAX} characters"]
        elif key != "sku" and (value is None or not SHOPIFY_ID.match(value)):
            errors[key] = ["must be a Shopify id: a number or a gid"]
        else:
            line[key] = value
    if present(item.get("quantity")):
        try:
            line["quantity"] = quantity(item["quantity"])
        except Invalid as invalid:
            errors["quantity"] = invalid.messages
    if errors:
        raise Invalid(errors)
    return line


def quantity(raw) -> int:
    value = text(raw)
    if value is None or not QUANTITY.match(value) or not value.strip("0"):
        raise Invalid("must be a whole number of at least 1")
    digits = value.lstrip("0")
    # Compared as digits first: int() refuses 4,301 of them, and a task carries 64-bit integers at most.
    if len(digits) > len(str(QUANTITY_MAX)) or int(digits) > QUANTITY_MAX:
        raise Invalid(f"must be at most {QUANTITY_MAX}")
    return int(digits)


def shipping_address(raw) -> dict:
    if not isinstance(raw, Mapping):
        raise Invalid("must be an object of MailingAddressInput fields")
    errors: dict[str, list[str]] = {}
    address = {}
    for key, value in raw.items():
        if key not in ADDRESS_KEYS:
            errors[key] = ["is not a MailingAddressInput field"]
        elif present(value) and text(value) is None:
            errors[key] = ["must be a string or a number"]
        elif present(value):
            address[key] = text(value)
    for key in REQUIRED_ADDRESS_KEYS:
        if key not in raw or not present(raw[key]):
            errors[key] = ["is required"]
    if "countryCode" in address and not COUNTRY_CODE.match(address["countryCode"]):
        errors["countryCode"] = ["must be a two-letter country code"]
    if errors:
        raise Invalid(errors)
    return address


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested messages (marshmallow's or `Invalid`'s) by place: `orders[3].lines[0].quantity: [...]`."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(key, int):
            name = f"{prefix}[{key}]"
        elif key == "_schema":
            name = prefix or "_schema"
        else:
            name = f"{prefix}.{key}" if prefix else key
        for field, errors in flatten(value, name).items():
            flat.setdefault(field, []).extend(errors)
    return flat
