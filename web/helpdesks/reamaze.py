"""Re:amaze: a webhook on a conversation update posts the conversation (the shape of its API's
Conversation, at the top level or under `conversation`). Signed: `X-Reamaze-Hmac-SHA256` =
base64(HMAC-SHA256(shared secret, raw body)); no timestamp. The conversation's `slug` is its id;
order, lines and reason come from its custom `data` fields named like "Order"."""

from __future__ import annotations

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver
from web.helpdesks.ticket import Ticket, custom_fields, dig
from web.signatures import matches_any


class Receiver(HelpdeskReceiver):
    provider = "reamaze"

    def verify(self, request: Request, raw: bytes) -> None:
        if not matches_any(self.secrets, raw, request.headers.get("X-Reamaze-Hmac-SHA256")):
            raise InvalidSignature()

    def parse(self, request: Request, body: dict) -> Ticket:
        conversation = body.get("conversation") if isinstance(body.get("conversation"), dict) else body
        data = conversation.get("data")
        fields = custom_fields(data if isinstance(data, dict) else {})
        return Ticket(id=conversation.get("slug"), tags=conversation.get("tag_list"),
                      email=dig(conversation, "author", "email"), order=fields.get("order"),
                      lines=fields.get("lines"), reason=fields.get("reason") or conversation.get("subject"))
