"""Intercom: an app's webhook topic `conversation_part.tag.created` posts a notification whose
`data.item` is the conversation. Signed: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw
body)>`; no timestamp, the notification id dedupes. The order, lines and reason come from the
conversation's custom attributes named like "Order"."""

from __future__ import annotations

import hashlib

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, NotATicket
from web.helpdesks.ticket import Ticket, custom_fields, dig
from web.signatures import hex_digest, matches_any

ITEM_TYPES = ("conversation", "ticket")


class Receiver(HelpdeskReceiver):
    provider = "intercom"

    def verify(self, request: Request, raw: bytes) -> None:
        scheme, _, signature = (request.headers.get("X-Hub-Signature") or "").partition("=")
        if scheme != "sha1" or not matches_any(self.secrets, raw, signature, encode=hex_digest,
                                               algorithm=hashlib.sha1):
            raise InvalidSignature()

    def parse(self, request: Request, body: dict) -> Ticket:
        item = dig(body, "data", "item")
        if not isinstance(item, dict) or item.get("type") not in ITEM_TYPES:
            raise NotATicket(f"topic {body.get('topic') or '(none)'} is not about a conversation")
        attributes = item.get("custom_attributes")
        fields = custom_fields(attributes if isinstance(attributes, dict) else {})
        email = dig(item, "source", "author", "email") or dig(item, "user", "email")
        return Ticket(id=item.get("id"), tags=dig(item, "tags", "tags"), email=email, order=fields.get("order"),
                      lines=fields.get("lines"), reason=fields.get("reason") or item.get("title"),
                      event_id=body.get("id"))
