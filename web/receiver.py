"""One receiver, many senders.

`Receiver.receive` runs the fixed order: verify the raw body, decode JSON, validate and
extract, dedupe, enqueue, answer. A sender (Shopify, each helpdesk) is a subclass that
supplies `verify` and `extract`, and `decode` when a body is worth decoding in part.
Adding a sender is adding one such class.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import orjson
from flask import Request, current_app, g, jsonify

from core import keys
from web.errors import NotJSON

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a delivery asks for: a event to enqueue, or the reason it is ignored."""

    event: dict | None = None
    ignored: str | None = None
    dedupe_keys: list[str] = field(default_factory=list)
    task: str = keys.HANDLE_EVENT

    @classmethod
    def ignore(cls, reason: str) -> Outcome:
        return cls(ignored=reason)


def parse_json(raw: bytes):
    try:
        return orjson.loads(raw)  # an order webhook is ~20 kB: orjson parses it 2.4x faster than json
    except orjson.JSONDecodeError:
        raise NotJSON() from None


class Receiver:
    name = "sender"

    def verify(self, request: Request, raw: bytes) -> None:
        """Raise InvalidSignature (401) unless the raw body is signed by the sender."""
        raise NotImplementedError

    def decode(self, request: Request, raw: bytes):
        """The body as Python values; raise NotJSON (400) for a body that is not JSON."""
        return parse_json(raw)

    def extract(self, request: Request, body) -> Outcome:
        """Validate the parsed body (raise ValidationFailed, 422) and say what it asks for."""
        raise NotImplementedError

    def receive(self, request: Request):
        raw = request.get_data(cache=True)
        self.verify(request, raw)
        outcome = self.extract(request, self.decode(request, raw))
        # One line per delivery only at DEBUG: it was a fifth of a delivery's cost. Every delivery
        # is counted in /metrics by outcome and has gunicorn's access-log line, and the worker's
        # lines carry its delivery_id.
        if outcome.ignored:
            log.debug("delivery ignored", extra={"sender": self.name, "reason": outcome.ignored})
            g.webhook_status = "ignored"
            return jsonify(status="ignored", reason=outcome.ignored)
        status = current_app.extensions["intake"].accept(outcome.dedupe_keys, outcome.task, [outcome.event],
                                                        shop=outcome.event.get("shop"))
        g.webhook_status = status
        log.debug("delivery accepted", extra={"sender": self.name, "status": status,
                                              "request_id": outcome.event.get("request_id")})
        return jsonify(status=status)
