"""The body our README tells templated helpdesks (Zendesk triggers, Gorgias HTTP integrations,
Freshdesk rules) and Standard Webhooks senders to send:

    {"ticket_id": "...", "tags": "...", "customer_email": "...", "order": "...",
     "lines": "SKU-1 x 2, variant:123", "reason": "...", "shipping_address": {...}}
"""

from __future__ import annotations

from flask import Request

from web.helpdesks.base import HelpdeskReceiver
from web.helpdesks.ticket import Ticket


def templated_ticket(body: dict, event_id: str | None = None) -> Ticket:
    return Ticket(id=body.get("ticket_id"), tags=body.get("tags"), email=body.get("customer_email"),
                  order=body.get("order"), lines=body.get("lines"), reason=body.get("reason"),
                  shipping_address=body.get("shipping_address"), event_id=event_id)


class TokenTemplateReceiver(HelpdeskReceiver):
    """A helpdesk that does not sign: the secret travels as a shared token (see `shared_token`)
    and the body is the README's template."""

    def verify(self, request: Request, raw: bytes) -> None:
        self.verify_token(request)

    def parse(self, request: Request, body: dict) -> Ticket:
        return templated_ticket(body)
