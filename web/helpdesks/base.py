"""What every helpdesk adapter shares: the receiver base, token and timestamp checks, and the
turn from a ticket into an Outcome.

An adapter is one module in this package, named for its provider (served when
`<PROVIDER>_WEBHOOK_SECRET` is set), defining a class `Receiver(HelpdeskReceiver)` with:

- `verify(request, raw)`: raise InvalidSignature unless the raw body came from the helpdesk,
  with any of `self.secrets` (several during a rotation); a signed timestamp is checked after
  the signature with `check_fresh`;
- `parse(request, body) -> Ticket`: locate the ticket's fields in the provider's payload, or
  raise NotATicket for an event that is not about a ticket (a test ping).

Everything else (the tag, validation, request id, dedupe, enqueue) is done here once.
"""

from __future__ import annotations

import base64
import binascii
import time
from datetime import datetime

from flask import Request

from core.settings import Settings, Shop
from web.errors import InvalidSignature, ValidationFailed
from web.helpdesks.ticket import Ticket, replacement_request, tag_names, ticket_id
from web.receiver import Outcome, Receiver
from web.signatures import equals_any

TOLERANCE_SECONDS = 5 * 60


class NotATicket(Exception):
    """The event is genuine but not about a ticket (a ping, a customer update): ignored."""


class StaleRequest(InvalidSignature):
    description = "signed timestamp is missing, malformed or more than 5 minutes away"


def now() -> float:
    """The clock of timestamp checks; its own function so tests pin it."""
    return time.time()


def check_fresh(sent_at: float) -> None:
    if abs(now() - sent_at) > TOLERANCE_SECONDS:
        raise StaleRequest()


def seconds_from(timestamp: str | None, unit: float = 1.0) -> float:
    """A signed timestamp as unix seconds: integer `unit`s since the epoch, or ISO 8601."""
    value = (timestamp or "").strip()
    try:
        if value.isdigit():
            return int(value) / unit
        return datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError):  # OverflowError: more digits than a float holds (a 401-digit timestamp)
        raise StaleRequest() from None


def shared_token(request: Request) -> str | None:
    """The secret of helpdesks that do not sign: `X-Webhook-Token`, a bearer token, or the
    password of basic auth."""
    if token := request.headers.get("X-Webhook-Token"):
        return token
    scheme, _, credentials = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer":
        return credentials
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(credentials, validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return None


class HelpdeskReceiver(Receiver):
    """Base of every helpdesk adapter; see the module docstring for what a subclass supplies."""

    provider = "helpdesk"

    def __init__(self, settings: Settings, secrets: tuple[str, ...], shop: Shop):
        self.settings = settings
        self.secrets = secrets
        self.shop = shop
        self.name = self.provider

    def parse(self, request: Request, body: dict) -> Ticket:
        raise NotImplementedError

    def verify_token(self, request: Request) -> None:
        if not equals_any(self.secrets, shared_token(request)):
            raise InvalidSignature()

    def extract(self, request: Request, body) -> Outcome:
        if not isinstance(body, dict):
            raise ValidationFailed({"_schema": ["must be a JSON object"]})
        try:
            ticket = self.parse(request, body)
        except NotATicket as reason:
            return Outcome.ignore(str(reason))
        return ticket_outcome(self.provider, ticket, self.settings.helpdesk_tag, self.shop.domain)


def ticket_outcome(provider: str, ticket: Ticket, tag: str, shop: str) -> Outcome:
    """One request per ticket: its id is `<provider>-<shop>-<ticket id>`, whatever event carries it
    (ticket ids count from 1 in every helpdesk account, so two shops' tickets share numbers)."""
    number = ticket_id(ticket)
    names = tag_names(ticket.tags)
    # `<tag>-return` (replace-return): the customer sends the item back; it is restocked on the original.
    returning = f"{tag.lower()}-return" in names
    if tag.lower() not in names and not returning:
        return Outcome.ignore(f"ticket {number} has no {tag} tag")
    event = {"shop": shop, "source": "helpdesk", "source_label": f"{provider} ticket {number}",
              "request_id": f"{provider}-{shop.removesuffix('.myshopify.com')}-{number}",
              **replacement_request(ticket)}
    if returning:
        event["return"] = True
    keys = [f"helpdesk:{shop}:{provider}:ticket:{number}"]
    if ticket.event_id:
        keys.insert(0, f"helpdesk:{shop}:{provider}:event:{ticket.event_id}")
    return Outcome(event=event, dedupe_keys=keys)
