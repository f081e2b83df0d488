"""Front: an application webhook on the "Tag added" event posts the event, its conversation
preview in `conversation`. Signed: `X-Front-Signature` = base64(HMAC-SHA256(app signing key,
`X-Front-Request-Timestamp` + ":" + raw body)), the timestamp in milliseconds and checked after
the signature. Front validates the URL first with `X-Front-Challenge`, answered with the same
value. The order, lines and reason come from conversation custom fields named like "Order"."""

from __future__ import annotations

from flask import Request, jsonify

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, check_fresh, seconds_from
from web.helpdesks.ticket import Ticket, custom_fields, dig
from web.signatures import matches_any


class Receiver(HelpdeskReceiver):
    provider = "front"

    def receive(self, request: Request):
        if challenge := request.headers.get("X-Front-Challenge"):
            self.verify(request, request.get_data(cache=True))
            return jsonify(challenge=challenge)
        return super().receive(request)

    def verify(self, request: Request, raw: bytes) -> None:
        timestamp = request.headers.get("X-Front-Request-Timestamp")
        signature = request.headers.get("X-Front-Signature")
        if not timestamp or not matches_any(self.secrets, timestamp.encode() + b":" + raw, signature):
            raise InvalidSignature()
        check_fresh(seconds_from(timestamp, unit=1000))

    def parse(self, request: Request, body: dict) -> Ticket:
        conversation = body.get("conversation") if isinstance(body.get("conversation"), dict) else {}
        fields = custom_fields(conversation.get("custom_fields") if isinstance(conversation.get("custom_fields"),
                                                                                dict) else {})
        tags = conversation.get("tags") if isinstance(conversation.get("tags"), list) else []
        if body.get("type") == "tag":
            tags = [*tags, dig(body, "target", "data")]
        return Ticket(id=conversation.get("id"), tags=tags,
                      email=dig(conversation, "recipient", "handle"), order=fields.get("order"),
                      lines=fields.get("lines"), reason=fields.get("reason") or conversation.get("subject"),
                      event_id=body.get("id"))
