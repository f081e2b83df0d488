"""The records that cross a process boundary, as JSON objects with known keys.

An `Event` is what the web tier hands the worker in a task message (one per delivery or API
item); a `Request` is what the store keeps for one replacement request, made from an event and
fixed when the request is made (its recipe included).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

# The sources whose request is the order's current tagging, found by reading the order's tags.
ADMIN_SOURCES = ("admin_tag", "reconcile")
# What an event may say about the replacement, kept on its request as given.
REQUEST_FIELDS = ("order", "email", "lines", "reason", "shipping_address", "return")


class Line(TypedDict, total=False):
    sku: str
    variant_id: str
    line_item_id: str
    quantity: int


class Event(TypedDict):
    shop: str
    source: str  # admin_tag, reconcile, refund, helpdesk, api
    source_label: str  # how the note names it: "admin tag", "zendesk ticket 77", ...
    request_id: NotRequired[str]  # every source but the admin tag names its request
    order: NotRequired[str]  # gid, id or name
    email: NotRequired[str]
    lines: NotRequired[list[Line]]
    reason: NotRequired[str]
    shipping_address: NotRequired[dict]
    trigger_tags: NotRequired[list[str]]


class Request(Event):
    request_id: str
    reason_code: NotRequired[str]
    shipping: NotRequired[str]  # zero, original, none
    shipping_title: NotRequired[str]
    extra_tags: NotRequired[list[str]]
    approval: NotRequired[str]


def request_from(event: Event, request_id: str) -> Request:
    request = {key: event[key] for key in ("shop", "source", "source_label", *REQUEST_FIELDS)
               if event.get(key) is not None}
    request["request_id"] = request_id
    return request
