"""Help Scout: a webhook (Manage > Apps > Webhooks) on "Conversation tags updated" (`convo.tags`)
posts the v2 Conversation. Signed: `X-HelpScout-Signature` = base64(HMAC-SHA1(secret key, raw
body)); no timestamp. The order, lines and reason come from custom fields named like "Order"."""

from __future__ import annotations

import hashlib

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, NotATicket
from web.helpdesks.ticket import Ticket, custom_fields, dig
from web.signatures import matches_any


class Receiver(HelpdeskReceiver):
    provider = "helpscout"

    def verify(self, request: Request, raw: bytes) -> None:
        if not matches_any(self.secrets, raw, request.headers.get("X-HelpScout-Signature"), algorithm=hashlib.sha1):
            raise InvalidSignature()

    def parse(self, request: Request, body: dict) -> Ticket:
        event = request.headers.get("X-HelpScout-Event") or ""
        if not event.startswith("convo."):
            raise NotATicket(f"event {event or '(none)'} is not about a conversation")
        fields = custom_fields({field.get("name"): field.get("value")
                                for field in body.get("customFields") or [] if isinstance(field, dict)})
        email = dig(body, "primaryCustomer", "email")
        if email is None and dig(body, "createdBy", "type") == "customer":
            email = dig(body, "createdBy", "email")
        return Ticket(id=body.get("id"), tags=body.get("tags"), email=email, order=fields.get("order"),
                      lines=fields.get("lines"), reason=fields.get("reason") or body.get("subject"))
