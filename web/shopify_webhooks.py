"""Shopify webhooks: `POST /webhooks/shopify`, every topic, `X-Shopify-Topic` says which."""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from flask import Blueprint, Request, current_app, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core import keys
from replacements.refund_requests import refund_event, why_ignored
from replacements.triggers import find_trigger
from web.errors import InvalidSignature, NotJSON, UnknownShop, ValidationFailed
from web.receiver import Outcome, Receiver, parse_json
from web.signatures import matches_any

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
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        # msgspec raises the latter two for invalid UTF-8 in a field it reads and for nesting
        # deeper than its limit in one it skips: a body that is not JSON all the same.
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
        shop = shopify_header(request, "Shop-Domain").strip().lower()
        outcome = handler(current_app.config["SETTINGS"], body, shop)
        if outcome.event is not None:
            outcome.event["shop"] = shop
            outcome.dedupe_keys = [*_delivery_keys(request, shop, topic), _body_key(request, shop, topic),
                                   *outcome.dedupe_keys]
        return outcome


def topic_of(request: Request) -> str:
    return (shopify_header(request, "Topic") or "").strip().lower()


def _delivery_keys(request: Request, shop: str, topic: str) -> list[str]:
    found = []
    if webhook_id := shopify_header(request, "Webhook-Id"):
        found.append(f"shopify:{shop}:webhook:{webhook_id}")
    if event_id := shopify_header(request, "Event-Id"):
        found.append(f"shopify:{shop}:event:{topic}:{event_id}")
    return found


def _body_key(request: Request, shop: str, topic: str) -> str:
    """Shopify signs the body, not the ids or the topic: a body sent again under new ids is a
    duplicate. A new change is a new body (orders/updated carries updated_at, a refund its id, a
    data request its id). Per topic: a subscription made by hand sends a cancelled order's whole
    body to orders/updated and orders/cancelled alike, and both must be acted on."""
    return keys.shopify_body(shop, topic, hashlib.sha256(request.get_data(cache=True)).hexdigest())


def load(schema: Schema, body) -> dict:
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": ["must be a JSON object"]})
    try:
        return schema.load(body)
    except ValidationError as error:
        raise ValidationFailed(error.messages) from None


def order_updated(settings, order: dict, shop: str) -> Outcome:
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


def refund_created(settings, body, shop: str) -> Outcome:
    """A refund whose note holds REFUND_KEYWORD: the customer wants the refunded units again."""
    refund = load(RefundSchema(), body)
    if reason := why_ignored(refund["note"], settings.refund_keyword):
        return Outcome.ignore(reason)
    lines = [(line["line_item_id"], line["quantity"]) for line in refund["refund_line_items"]]
    event = refund_event(refund["id"], refund["order_id"], refund["note"] or "", lines)
    return Outcome(event=event) if event else Outcome.ignore("refund has no line items to replace")


def order_cancelled(settings, body, shop: str) -> Outcome:
    """The worker deletes replacement drafts still waiting for this order (it re-reads the order first)."""
    order = load(OrderIdSchema(), body)
    gid = order["admin_graphql_api_id"] or f"gid://shopify/Order/{order['id']}"
    return Outcome(event={"order": gid}, task=keys.HANDLE_CANCELLED)


class PrivacyCustomerSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)


class DataRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, strict=True)


class ShopRedactSchema(Schema):
    """shop/redact's body; each customer topic's schema adds its own fields (FACTS §6).

    Shopify does not sign the topic: a body must carry every field of its topic and none that
    only another compliance topic carries, so that a customers/redact body sent again as
    shop/redact (it has shop_id and shop_domain too) never erases the whole shop."""

    topic = "shop/redact"

    class Meta:
        unknown = EXCLUDE

    shop_id = fields.Integer(required=True, strict=True)
    shop_domain = fields.String(required=True)

    @validates_schema(pass_original=True)
    def no_field_of_another_topic(self, data, original, **kwargs):
        foreign = sorted(key for key in original if key in COMPLIANCE_FIELDS and key not in self.fields)
        if foreign:
            raise ValidationError({key: [f"is not a field of {self.topic}"] for key in foreign})


class CustomersRedactSchema(ShopRedactSchema):
    topic = "customers/redact"

    customer = fields.Nested(PrivacyCustomerSchema, required=True)
    orders_to_redact = fields.List(fields.Integer(strict=True), required=True)


class CustomersDataRequestSchema(ShopRedactSchema):
    topic = "customers/data_request"

    customer = fields.Nested(PrivacyCustomerSchema, required=True)
    orders_requested = fields.List(fields.Integer(strict=True), required=True)
    data_request = fields.Nested(DataRequestSchema, required=True)


COMPLIANCE_SCHEMAS = (ShopRedactSchema, CustomersRedactSchema, CustomersDataRequestSchema)
COMPLIANCE_FIELDS = frozenset(name for schema in COMPLIANCE_SCHEMAS for name in schema().fields)


def compliance(schema: type[ShopRedactSchema]):
    def handler(settings, body, shop: str) -> Outcome:
        data = load(schema(), body)
        if data["shop_domain"].strip().lower() != shop:
            raise ValidationFailed({"shop_domain": ["is not the shop of the X-Shopify-Shop-Domain header"]})
        event = {"topic": schema.topic}
        if "customer" in data:
            event.update(customer_id=data["customer"]["id"], email=data["customer"]["email"],
                         orders=data.get("orders_requested", []) + data.get("orders_to_redact", []),
                         data_request_id=data.get("data_request", {}).get("id"))
        return Outcome(event=event, task=keys.HANDLE_COMPLIANCE)
    return handler


TOPICS = {
    "orders/updated": order_updated,
    "refunds/create": refund_created,
    "orders/cancelled": order_cancelled,
    **{schema.topic: compliance(schema) for schema in COMPLIANCE_SCHEMAS},
}


@blueprint.post("/webhooks/shopify")
def receive():
    return ShopifyReceiver().receive(request)
