"""A helpdesk ticket as an adapter located it, and its validation into a replacement request.

Adapters only find the fields in their provider's payload and leave the values raw; the
checks here are shared, so every helpdesk answers the same 422 for the same mistake.
Templated helpdesks render every placeholder as a string, often an empty one: an empty
string counts as absent, ids may be strings, tags may be space- or comma-separated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from web.errors import ValidationFailed

TICKET_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
EMAIL = re.compile(r"^[^@\s\"]+@[^@\s\"]+\.[^@\s\"]+$")
ORDER = re.compile(r"^(?:gid://shopify/Order/\d+|#?\d{1,20})$")
LINE_TEXT = re.compile(r"^(?:(sku|variant|line):)?\s*(\S+?)(?:\s+x\s*(\d+))?$", re.IGNORECASE)
LINE_KEYS = ("line_item_id", "variant_id", "sku")
TEXT_PREFIXES = {None: "sku", "sku": "sku", "variant": "variant_id", "line": "line_item_id"}
ADDRESS_KEYS = frozenset({"address1", "address2", "city", "company", "countryCode", "firstName", "lastName",
                          "phone", "provinceCode", "zip"})
REASON_MAX = 500

# Names under which a helpdesk's custom fields may carry the order, the lines or the reason,
# compared lowercase with everything but letters and digits removed ("Order #" -> "order").
FIELD_NAMES = {
    "order": ("order", "ordernumber", "ordername", "orderid", "shopifyorder"),
    "lines": ("lines", "replacementlines"),
    "reason": ("reason", "replacementreason"),
}


@dataclass(frozen=True)
class Ticket:
    """What one helpdesk event says about a ticket; values are raw until `replacement_request`."""

    id: object
    tags: object
    email: object = None
    order: object = None
    lines: object = None
    reason: object = None
    shipping_address: object = None
    event_id: str | None = None


def dig(data, *path):
    """data[path[0]][path[1]]..., or None where the payload has no such place."""
    for step in path:
        if isinstance(data, Mapping) and isinstance(step, str):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and -len(data) <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def custom_fields(fields: Mapping) -> dict:
    """Picks order, lines and reason out of a helpdesk's custom fields, by their names."""
    plain = {re.sub(r"[^a-z0-9]", "", str(name).lower()): value for name, value in fields.items()}
    found = {}
    for key, names in FIELD_NAMES.items():
        for name in names:
            if present(plain.get(name)):
                found[key] = plain[name]
                break
    return found


def present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def text(value) -> str | None:
    if not present(value) or isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value).strip()
    return None


def tag_names(tags) -> set[str]:
    """Tags as helpdesks send them: "a b", "a, b", ["a"], [{"name": "a"}], [{"tag": "a"}]."""
    if isinstance(tags, str):
        items = re.split(r"[,\s]+", tags)
    elif isinstance(tags, list):
        items = [tag.get("name") or tag.get("tag") if isinstance(tag, Mapping) else tag for tag in tags]
    else:
        items = []
    return {item.strip().lower() for item in items if isinstance(item, str) and item.strip()}


def ticket_id(ticket: Ticket) -> str:
    value = text(ticket.id)
    if value is None or not TICKET_ID.match(value):
        raise ValidationFailed({"ticket_id": ["missing, or not an id of letters, digits, '_', '.', ':' or '-'"]})
    return value


def replacement_request(ticket: Ticket) -> dict:
    """The request fields of a event; raises ValidationFailed naming every field at fault."""
    errors: dict[str, list[str]] = {}
    request = {}
    for key, check in (("order", _order), ("email", _email), ("lines", _lines), ("reason", _reason),
                       ("shipping_address", _address)):
        raw = getattr(ticket, key)
        if not present(raw):
            continue
        try:
            request[key] = check(raw)
        except _Invalid as invalid:
            for field, message in invalid.errors.items():
                errors.setdefault(field, []).append(message)
    if not errors and not request.get("order") and not request.get("email"):
        errors["order"] = ["give the order (name like #1001, number, id or gid) or the customer's email"]
    if errors:
        raise ValidationFailed(errors)
    return request


class _Invalid(Exception):
    def __init__(self, **errors: str):
        super().__init__(errors)
        self.errors = errors


def _order(raw) -> str:
    value = text(raw)
    if value is None or not ORDER.match(value):
        raise _Invalid(order="must be an order name like #1001, a number, an id or a gid")
    return value


def _email(raw) -> str:
    value = text(raw)
    if value is None or not EMAIL.match(value):
        raise _Invalid(customer_email="must be an email address")
    return value.lower()


def _reason(raw) -> str:
    value = text(raw)
    if value is None:
        raise _Invalid(reason="must be text")
    return value[:REASON_MAX]


def _address(raw) -> dict:
    if not isinstance(raw, Mapping):
        raise _Invalid(shipping_address="must be an object of MailingAddressInput fields")
    unknown = sorted(set(raw) - ADDRESS_KEYS)
    if unknown:
        raise _Invalid(**{f"shipping_address.{key}": "is not a MailingAddressInput field" for key in unknown})
    address = {key: text(value) for key, value in raw.items() if text(value)}
    if not address.get("address1") or not address.get("countryCode"):
        raise _Invalid(shipping_address="needs at least address1 and countryCode")
    return address


def _lines(raw) -> list[dict]:
    if isinstance(raw, str):
        return [_line_from_text(index, item) for index, item in enumerate(_text_items(raw))]
    if not isinstance(raw, list):
        raise _Invalid(lines="must be a list of lines, or text like 'SKU-1 x 2, variant:123'")
    return [_line(index, item) for index, item in enumerate(raw)]


def _text_items(raw: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,;\n]+", raw) if item.strip()]


def _line_from_text(index: int, item: str) -> dict:
    match = LINE_TEXT.match(item)
    if not match:
        raise _Invalid(**{f"lines[{index}]": f"{item!r} is not like 'SKU-1 x 2', 'variant:123 x 1' or 'line:456'"})
    prefix, value, quantity = match.groups()
    line = {TEXT_PREFIXES[prefix and prefix.lower()]: value}
    if quantity is not None:
        line["quantity"] = _quantity(index, quantity)
    return line


def _line(index: int, item) -> dict:
    if not isinstance(item, Mapping):
        raise _Invalid(**{f"lines[{index}]": "must be an object"})
    named = [key for key in LINE_KEYS if present(item.get(key))]
    if len(named) != 1:
        raise _Invalid(**{f"lines[{index}]": "must name exactly one of line_item_id, variant_id or sku"})
    value = text(item[named[0]])
    if value is None:
        raise _Invalid(**{f"lines[{index}].{named[0]}": "must be a string or a number"})
    line = {named[0]: value}
    if present(item.get("quantity")):
        line["quantity"] = _quantity(index, item["quantity"])
    return line


def _quantity(index: int, raw) -> int:
    value = text(raw)
    if value is None or not value.isdigit() or int(value) < 1:
        raise _Invalid(**{f"lines[{index}].quantity": "must be a whole number of at least 1"})
    return int(value)
