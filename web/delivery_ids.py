"""A `delivery_id` bound to the log context of every request, and carried on to its task:
the sender's own delivery id when it gives one (Shopify's webhook id, a proxy's request id),
else a fresh one."""

from __future__ import annotations

import uuid

from flask import Blueprint, g, request

from core.log_context import pop, push

blueprint = Blueprint("delivery_ids", __name__)
SENDER_IDS = ("X-Shopify-Webhook-Id", "Shopify-Webhook-Id", "Webhook-Id", "X-Request-Id")


@blueprint.before_app_request
def bind_delivery_id() -> None:
    given = next((request.headers[h] for h in SENDER_IDS if request.headers.get(h)), None)
    g.log_token = push(delivery_id=(given or uuid.uuid4().hex)[:64])


@blueprint.teardown_app_request
def unbind_delivery_id(_error) -> None:
    token = g.pop("log_token", None)
    if token is not None:
        pop(token)
