"""Kustomer: an outbound webhook on `kustomer.conversation.update` posts the event envelope, the
conversation in `data`. Signed: `X-Kustomer-Webhook-Signature` = lowercase hex HMAC-SHA256(token,
raw body); no timestamp, the envelope id dedupes. The conversation carries no email: the order
comes from a custom attribute named like "Order" (`orderStr`, `orderNumberStr`)."""

from __future__ import annotations

import re

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, NotATicket
from web.helpdesks.ticket import Ticket, custom_fields, dig
from web.signatures import hex_digest, matches_any

TYPE_SUFFIX = re.compile(r"(Str|Txt|Num)$")


class Receiver(HelpdeskReceiver):
    provider = "kustomer"

    def verify(self, request: Request, raw: bytes) -> None:
        if not matches_any(self.secrets, raw, request.headers.get("X-Kustomer-Webhook-Signature"),
                           encode=hex_digest):
            raise InvalidSignature()

    def parse(self, request: Request, body: dict) -> Ticket:
        if dig(body, "data", "type") != "conversation":
            raise NotATicket(f"event {body.get('name') or '(none)'} is not about a conversation")
        attributes = dig(body, "data", "attributes") or {}
        custom = attributes.get("custom") if isinstance(attributes.get("custom"), dict) else {}
        fields = custom_fields({TYPE_SUFFIX.sub("", name): value for name, value in custom.items()})
        return Ticket(id=dig(body, "data", "id"), tags=attributes.get("tags"), order=fields.get("order"),
                      lines=fields.get("lines"), reason=fields.get("reason") or attributes.get("name"),
                      event_id=body.get("id"))
