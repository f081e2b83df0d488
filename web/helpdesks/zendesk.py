"""Zendesk: a trigger ("Tags contains replace") notifies a webhook with the JSON body from the
README. Signed: base64(HMAC-SHA256(signing secret, timestamp + raw body)), the secret used as
its literal string; the ISO 8601 timestamp is checked after the signature."""

from __future__ import annotations

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, check_fresh, seconds_from
from web.helpdesks.templated import templated_ticket
from web.helpdesks.ticket import Ticket
from web.signatures import matches_any


class Receiver(HelpdeskReceiver):
    provider = "zendesk"

    def verify(self, request: Request, raw: bytes) -> None:
        timestamp = request.headers.get("X-Zendesk-Webhook-Signature-Timestamp")
        signature = request.headers.get("X-Zendesk-Webhook-Signature")
        if not timestamp or not matches_any(self.secrets, timestamp.encode() + raw, signature):
            raise InvalidSignature()
        check_fresh(seconds_from(timestamp))

    def parse(self, request: Request, body: dict) -> Ticket:
        return templated_ticket(body)
