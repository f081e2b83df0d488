"""Shopify webhooks: `POST /webhooks/shopify`, every topic, `X-Shopify-Topic` says which."""

from __future__ import annotations

from typing import Annotated

import msgspec
from flask import Blueprint, Request, current_app, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from core import keys
from replacements.planner import REFUND_SOURCE
from replacements.recipe import SERVICE_REFUND_NOTE
from replacements.triggers import find_trigger
from web.errors import InvalidSignature, NotJSON, UnknownShop, ValidationFailed
from web.receiver import Outcome, Receiver, parse_json
from web.signatures import matches_any
from web.validation import REASON_MAX

blueprint = Blueprint("shopify_webhooks", __name__)


def shopify_header(request: Request, name: str) -> str | None:
    """Shopify sends `X-Shopify-<Name>`; its newer events use `shopify-<name>`."""
    return request.headers.get(f"X-Shopify-{name}") or request.headers.get(f"Shopify-{name}")


class OrderIdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    admin_graphql_api_id = fields.String(load_default=None)


class OrderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    admin_graphql_api_id = fields.String(load_default=None)
    name = fields.String(required=True)
    tags = fields.String(required=True)
    updated_at = fields.String(load_default=None)


ORDER_SCHEMA = OrderSchema()


class OrderUpdate(msgspec.Struct):
    """What the service reads of an orders/updated body: OrderSchema's fields, decoded in one pass
    that checks the whole body is JSON but builds none of the rest (line items, addresses: ~20 kB)."""

    id: Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]  # as orjson: larger ones are floats
    name: str
    tags: str
    admin_graphql_api_id: str | None = None
    updated_at: str | None = None


_ORDER_DECODER = msgspec.json.Decoder(OrderUpdate)


def decode_order(raw: bytes) -> dict:
    """orders/updated is Shopify's busiest topic, mostly edits without the trigger tag: decoding
    only these fields takes 10 µs where parsing the whole body takes 37 and marshmallow 9 more."""
    try:
        return msgspec.structs.asdict(_ORDER_DECODER.decode(raw))
    except msgspec.ValidationError:
        return load(ORDER_SCHEMA, parse_json(raw))  # rare: marshmallow names the fields at fault
    except msgspec.DecodeError:
        raise NotJSON() from None


class ShopifyReceiver(Receiver):
    name = "shopify"

    def verify(self, request: Request, raw: bytes) -> None:
        settings = current_app.config["SETTINGS"]
        signature = shopify_header(request, "Hmac-Sha256")
        shop = settings.shop(shopify_header(request, "Shop-Domain") or "")
        if shop is None:
            known = any(matches_any(s.webhook_secrets, raw, signature) for s in settings.shops.values())
            raise UnknownShop() if known else InvalidSignature()
        if not matches_any(shop.webhook_secrets, raw, signature):
            raise InvalidSignature()

    def decode(self, request: Request, raw: bytes):
        return decode_order(raw) if topic_of(request) == "orders/updated" else parse_json(raw)

    def extract(self, request: Request, body) -> Outcome:
        topic = topic_of(request)
        handler = TOPICS.get(topic)
        if handler is None:
            return Outcome.ignore(f"topic {topic or '(none)'} is not handled")
        outcome = handler(current_app.config["SETTINGS"], body)
        if outcome.event is not None:
            shop = shopify_header(request, "Shop-Domain").strip().lower()
            outcome.event["shop"] = shop
            outcome.dedupe_keys = _delivery_keys(request, shop, topic) + outcome.dedupe_keys
        return outcome


def topic_of(request: Request) -> str:
    return (shopify_header(request, "Topic") or "").strip().lower()


def _delivery_keys(request: Request, shop: str, topic: str) -> list[str]:
    keys = []
    if webhook_id := shopify_header(request, "Webhook-Id"):
        keys.append(f"shopify:{shop}:webhook:{webhook_id}")
    if event_id := shopify_header(request, "Event-Id"):
        keys.append(f"shopify:{shop}:event:{topic}:{event_id}")
    return keys


def load(schema: Schema, body) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": ["must be a JSON object"]})
    try:
        return schema.load(body)
    except ValidationError as error:
        raise ValidationFailed(error.messages) from None


def order_updated(settings, order: dict) -> Outcome:
    """`order` comes from `decode_order`, validated. The event names the order only: the worker
    reads its tags again, and the reason with them (worker/admin_requests.py)."""
    if find_trigger(order["tags"], settings.replacement_tag) is None:
        return Outcome.ignore(f"order has no {settings.replacement_tag} tag")
    gid = order["admin_graphql_api_id"] or f"gid://shopify/Order/{order['id']}"
    return Outcome(event={"source": "admin_tag", "source_label": "admin tag", "order": gid,
                          "updated_at": order["updated_at"]})


class RefundLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    line_item_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class RefundSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    order_id = fields.Integer(required=True, strict=True)
    note = fields.String(load_default=None, allow_none=True)
    refund_line_items = fields.List(fields.Nested(RefundLineSchema), load_default=list)


def refund_created(settings, body) -> Outcome:
    """A refund whose note holds REFUND_KEYWORD: the customer wants the refunded units again."""
    refund = load(RefundSchema(), body)
    note = (refund["note"] or "").strip()
    if SERVICE_REFUND_NOTE.fullmatch(note):
        return Outcome.ignore("refund made by this service")
    if settings.refund_keyword.lower() not in note.lower():
        return Outcome.ignore(f"refund note does not contain {settings.refund_keyword!r}")
    quantities: dict[int, int] = {}
    for line in refund["refund_line_items"]:
        quantities[line["line_item_id"]] = quantities.get(line["line_item_id"], 0) + line["quantity"]
    if not quantities:
        return Outcome.ignore("refund has no line items to replace")
    return Outcome(event={
        "source": REFUND_SOURCE, "source_label": f"refund {refund['id']}", "request_id": f"refund-{refund['id']}",
        "order": f"gid://shopify/Order/{refund['order_id']}", "reason": note[:REASON_MAX],
        "lines": [{"line_item_id": line_id, "quantity": quantity} for line_id, quantity in quantities.items()],
    })


def order_cancelled(settings, body) -> Outcome:
    """The worker deletes replacement drafts still waiting for this order (it re-reads the order first)."""
    order = load(OrderIdSchema(), body)
    gid = order["admin_graphql_api_id"] or f"gid://shopify/Order/{order['id']}"
    return Outcome(event={"order": gid}, task=keys.HANDLE_CANCELLED)


class PrivacyCustomerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(load_default=None)
    email = fields.String(load_default=None)


class PrivacyRequestSchema(Schema):
    """customers/data_request and customers/redact (shop/redact carries no customer)."""

    class Meta:
        unknown = EXCLUDE

    customer = fields.Nested(PrivacyCustomerSchema, required=True)
    orders_requested = fields.List(fields.Integer(), load_default=list)
    orders_to_redact = fields.List(fields.Integer(), load_default=list)
    data_request = fields.Dict(load_default=dict)


def compliance(topic: str):
    def handler(settings, body) -> Outcome:
        event = {"topic": topic}
        if topic != "shop/redact":
            data = load(PrivacyRequestSchema(), body)
            event.update(customer_id=data["customer"]["id"], email=data["customer"]["email"],
                         orders=data["orders_requested"] + data["orders_to_redact"],
                         data_request_id=data["data_request"].get("id"))
        return Outcome(event=event, task=keys.HANDLE_COMPLIANCE)
    return handler


TOPICS = {
    "orders/updated": order_updated,
    "refunds/create": refund_created,
    "orders/cancelled": order_cancelled,
    "customers/data_request": compliance("customers/data_request"),
    "customers/redact": compliance("customers/redact"),
    "shop/redact": compliance("shop/redact"),
}


@blueprint.post("/webhooks/shopify")
def receive():
    return ShopifyReceiver().receive(request)
