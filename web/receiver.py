"""One receiver, many senders.

`Receiver.receive` runs the fixed order: verify the raw body, parse JSON, validate and
extract, dedupe, enqueue, answer. A sender (Shopify, each helpdesk) is a subclass that
supplies only `verify` and `extract`. Adding a sender is adding one such class.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from flask import Request, current_app, jsonify

from web.errors import NotJSON

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a delivery asks for: a signal to enqueue, or the reason it is ignored."""

    signal: dict | None = None
    ignored: str | None = None
    dedupe_keys: list[str] = field(default_factory=list)
    task: str = "worker.tasks.handle_signal"

    @classmethod
    def ignore(cls, reason: str) -> Outcome:
        return cls(ignored=reason)


class Receiver:
    name = "sender"

    def verify(self, request: Request, raw: bytes) -> None:
        """Raise InvalidSignature (401) unless the raw body is signed by the sender."""
        raise NotImplementedError

    def extract(self, request: Request, body) -> Outcome:
        """Validate the parsed body (raise ValidationFailed, 422) and say what it asks for."""
        raise NotImplementedError

    def receive(self, request: Request):
        raw = request.get_data(cache=True)
        self.verify(request, raw)
        try:
            body = json.loads(raw)
        except ValueError:
            raise NotJSON() from None
        outcome = self.extract(request, body)
        if outcome.ignored:
            log.info("delivery ignored", extra={"sender": self.name, "reason": outcome.ignored})
            return jsonify(status="ignored", reason=outcome.ignored)
        status = current_app.extensions["intake"].accept(outcome.dedupe_keys, outcome.task, [outcome.signal])
        log.info("delivery accepted", extra={"sender": self.name, "status": status,
                                             "request_id": outcome.signal.get("request_id")})
        return jsonify(status=status)
