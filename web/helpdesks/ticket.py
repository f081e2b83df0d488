"""A helpdesk ticket as an adapter located it, and its validation into a replacement request.

Adapters only find the fields in their provider's payload and leave the values raw; the
checks are shared (web/validation.py, with the API), so every helpdesk answers the same 422 for
the same mistake. Templated helpdesks render every placeholder as a string, often an empty one:
an empty string counts as absent, ids may be strings, tags may be space- or comma-separated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from web import validation
from web.errors import ValidationFailed
from web.validation import present, text

TICKET_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

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


# Each request field with its check (web/validation.py, the API's too) and the name a 422 gives it.
CHECKS = (("order", validation.order_reference, "order"), ("email", validation.customer_email, "customer_email"),
          ("lines", validation.lines, "lines"), ("reason", validation.reason, "reason"),
          ("shipping_address", validation.shipping_address, "shipping_address"))


def replacement_request(ticket: Ticket) -> dict:
    """The request fields of an event; raises ValidationFailed naming every field at fault."""
    errors = {}
    request = {}
    for key, check, name in CHECKS:
        raw = getattr(ticket, key)
        if not present(raw):
            continue
        try:
            request[key] = check(raw)
        except validation.Invalid as invalid:
            errors[name] = invalid.messages
    if not errors and not request.get("order") and not request.get("email"):
        errors["order"] = ["give the order (name like #1001, number, id or gid) or the customer's email"]
    if errors:
        raise ValidationFailed(validation.flatten(errors))
    return request
