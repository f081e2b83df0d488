"""The project's own API: `POST /api/replacements` and `GET /api/replacements/<id>`.

A bearer token (`API_TOKEN`) guards both; with no token configured the API does not exist
(404), like a helpdesk whose secret is not set. A request names one order or, for an incident,
`orders`. Ids are derived from the `Idempotency-Key` header, else from the canonical body, so a
resubmission finds the same requests instead of making new ones. Each request's state is
recorded here, before its task is queued, so `GET` answers at once.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager

import redis
from flask import Blueprint, current_app, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema
from werkzeug.exceptions import GatewayTimeout, NotFound, Unauthorized

from core import keys
from core.errors import ReplacementError
from core.store import State
from replacements.recipe import with_recipe
from web import validation
from web.errors import QueueUnavailable, ValidationFailed
from web.receiver import parse_json
from web.signatures import equals_any

blueprint = Blueprint("api", __name__, url_prefix="/api")

MAX_ORDERS = 1000
# Lines a call may name in all, each order counting the lines it gives or shares: every request
# record and task carries its order's lines, so 1,000 orders sharing 1,000 lines were a million
# lines (100 MB in Redis) from a 41 kB body. As many lines as orders at most: about 100 kB of lines,
# less than the 1,000 requests' own records; a bigger incident is sent in several calls.
MAX_LINES = 1000
TASK = keys.HANDLE_EVENT
SOURCE_LABEL = "API"
REQUEST_FIELDS = ("order", "lines", "reason", "shipping_address", "return")
# How long a dry run waits for a worker's answer, in BLPOPs short enough for the web client's
# half-second socket timeout (web/__init__.py), so a silent Redis still fails fast.
DRY_RUN_SECONDS = 5.0
DRY_RUN_POLL_SECONDS = 0.4


class ApiDisabled(ReplacementError, NotFound):
    description = "the API is not enabled: API_TOKEN is not set"


class InvalidToken(ReplacementError, Unauthorized):
    description = "missing or bad bearer token"


class NoSuchRequest(ReplacementError, NotFound):
    description = "no such request or batch"


class NoWorkerAnswered(ReplacementError, GatewayTimeout):
    description = (f"no worker answered the dry run within {DRY_RUN_SECONDS:g} s: are the workers running "
                   f"(or busy with a long queue)? Nothing was done; try again")


def key_reused() -> ValidationFailed:
    return ValidationFailed({"Idempotency-Key": ["was used before with another body"]})


def checked(check: Callable[[object], object], value):
    """`check` (web/validation.py) as marshmallow reports a field at fault."""
    try:
        return check(value)
    except validation.Invalid as invalid:
        raise ValidationError(invalid.messages) from None


class Checked(fields.Field):
    """A field checked by web/validation.py, as the helpdesks check theirs: one set of messages."""

    def __init__(self, check: Callable[[object], object], **kwargs):
        super().__init__(**kwargs)
        self.check = check

    def _deserialize(self, value, attr, data, **kwargs):
        return checked(self.check, value)


class ReplacementSchema(Schema):
    """What one order's replacement may say; an incident's `orders` items may say it per order."""

    class Meta:
        unknown = RAISE

    order = Checked(validation.order_reference, required=True)
    lines = Checked(validation.lines)
    reason = Checked(validation.reason)
    shipping_address = Checked(validation.shipping_address)
    # The customer sends the item back: the original's lines are restocked (see replacements/recipe.py).
    return_ = fields.Boolean(data_key="return", attribute="return")


class OrderItem(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs) -> dict:
        if isinstance(value, dict):
            return ReplacementSchema().load(value)
        return {"order": checked(validation.order_reference, value)}


class BodySchema(ReplacementSchema):
    order = Checked(validation.order_reference)
    orders = fields.List(OrderItem(), validate=validate.Length(min=1, max=MAX_ORDERS))
    shop = fields.String()
    # What the service would do, computed by a worker on live Shopify data, with nothing written.
    dry_run = fields.Boolean()

    @validates_schema
    def one_or_many(self, data, **kwargs):
        if ("order" in data) == ("orders" in data):
            raise ValidationError("give either order or orders", "order")

    @validates_schema
    def one_order_to_try(self, data, **kwargs):
        if data.get("dry_run") and "orders" in data:
            raise ValidationError("a dry run takes one order, not orders", "dry_run")

    @validates_schema
    def lines_in_all(self, data, **kwargs):
        shared = len(data.get("lines", ()))
        total = sum(len(item.get("lines", ())) if "lines" in item else shared for item in data["orders"]) \
            if "orders" in data else shared
        if total > MAX_LINES:
            raise ValidationError(f"a call may name at most {MAX_LINES} lines in all, each order counting the lines "
                                  f"it gives or shares: this one names {total}; send it in several calls", "lines")


@blueprint.post("/replacements")
def create():
    settings = authorize()
    body = load_body()
    with _store_reachable():
        if body.pop("dry_run", False):
            return _dry_run(settings, body)
        return _create(settings, body)


def _shop(settings, body: dict):
    shop = settings.shop(body.pop("shop", settings.default_shop.domain))
    if shop is None:
        raise ValidationFailed({"shop": ["is not a configured shop"]})
    return shop


def _dry_run(settings, body: dict):
    """Asks a worker (the web tier never calls Shopify) and waits for its answer; records nothing."""
    shop = _shop(settings, body)
    preview_id = uuid.uuid4().hex
    reply_key = keys.dry_run_reply(preview_id)
    answer_by = time.time() + DRY_RUN_SECONDS
    request_record = with_recipe(_event(shop.domain, f"dry-run-{preview_id}", body), settings)
    intake = current_app.extensions["intake"]
    intake.accept([], keys.DRY_RUN, [request_record, reply_key, answer_by])
    while time.time() < answer_by:
        answer = intake.client.blpop([reply_key], timeout=DRY_RUN_POLL_SECONDS)
        if answer:
            return current_app.response_class(answer[1], status=200, mimetype="application/json")
    raise NoWorkerAnswered()


def _create(settings, body: dict):
    shop = _shop(settings, body)
    base = _digest(shop.domain, request.headers.get("Idempotency-Key") or _canonical(body))
    if "order" in body:
        request_id = f"api-{base[:24]}"
        status = _accept(_event(shop.domain, request_id, body))
        return jsonify(request_id=request_id, status=status), 202
    shared = {key: body[key] for key in REQUEST_FIELDS if key in body and key != "order"}
    events = {}
    for item in body["orders"]:
        request_id = f"api-{_digest(base, item['order'])[:24]}"
        events.setdefault(request_id, _event(shop.domain, request_id, {**shared, **item}))
    batch_id = f"batch-{base[:24]}"
    known = _state().batch(batch_id)
    if known is not None and known != list(events):
        raise key_reused()
    _state().create_batch(batch_id, list(events))
    statuses = [_accept(event) for event in events.values()]
    return jsonify(batch_id=batch_id, request_ids=list(events), queued=statuses.count("queued"),
                   duplicate=statuses.count("duplicate")), 202


@blueprint.get("/replacements/<id_>")
def status(id_: str):
    authorize()
    with _store_reachable():
        return _status(id_)


def _status(id_: str):
    state = _state()
    request_ids = state.batch(id_)
    if request_ids is not None:
        views = [describe(request_id, state.get(request_id)) for request_id in request_ids]
        counts: dict[str, int] = {}
        for view in views:
            counts[view["status"]] = counts.get(view["status"], 0) + 1
        return jsonify(batch_id=id_, counts=counts, requests=views)
    record = state.get(id_)
    if record is None:
        raise NoSuchRequest()
    return jsonify(describe(id_, record))


def describe(request_id: str, record: dict | None) -> dict:
    """A request as the API tells it: `queued`, a working status, `done`, `failed` or `cancelled`."""
    if record is None:
        # A batch lists its ids before each request is recorded: a read may fall between.
        return {"request_id": request_id, "status": "queued"}
    status = record.get("status", "received")
    view = {"request_id": request_id, "status": "queued" if status == "received" else status,
            "order": record["request"].get("order")}
    if record.get("replacement_id"):
        view["replacement"] = {"id": record["replacement_id"], "name": record["replacement_name"]}
    elif status == "done" and record.get("draft_id"):
        view["draft"] = {"id": record["draft_id"], "held_because": record.get("held_because", "")}
    if status in ("failed", "cancelled"):
        view["reason"] = record.get("reason", "")
    return view


def authorize():
    settings = current_app.config["SETTINGS"]
    if not settings.api_token:
        raise ApiDisabled()
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not equals_any([settings.api_token], token):
        raise InvalidToken()
    return settings


def load_body() -> dict:
    body = parse_json(request.get_data(cache=True))  # orjson: nesting past 1,024 levels is not JSON (400)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": ["must be a JSON object"]})
    try:
        return BodySchema().load(body)
    except ValidationError as error:
        raise ValidationFailed(validation.flatten(error.messages)) from None


def _event(shop: str, request_id: str, fields_: dict) -> dict:
    return {"shop": shop, "source": "api", "source_label": SOURCE_LABEL, "request_id": request_id,
            **{key: fields_[key] for key in REQUEST_FIELDS if key in fields_}}


def _accept(event: dict) -> str:
    """Records the request (as the worker would: with its recipe), then queues its task; a request
    known already is a duplicate. A failed enqueue removes the record again, so the caller's retry
    goes through (503)."""
    state = _state()
    request_record = with_recipe(event, current_app.config["SETTINGS"])
    if not state.create_request(request_record):
        known = state.get(event["request_id"])
        if known and known["request"] != request_record:
            raise key_reused()
        return "duplicate"
    try:
        current_app.extensions["intake"].accept([], TASK, [event], shop=event["shop"])
    except QueueUnavailable:
        state.delete_request(event["request_id"])
        raise
    return "queued"


@contextmanager
def _store_reachable():
    """Redis holds the requests: without it nothing can be recorded or read (503, try again)."""
    try:
        yield
    except redis.RedisError as error:
        raise QueueUnavailable() from error


def _state() -> State:
    retention = current_app.config["SETTINGS"].retention_days * 86400
    return State(current_app.extensions["intake"].client, retention_seconds=retention)


def _canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()

