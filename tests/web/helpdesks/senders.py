"""Helpdesks as tests see them: each provider's payload shape (after FACTS.md's samples) and
its way of signing, so a test can send what that helpdesk would send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

PROVIDERS = ("zendesk", "gorgias", "freshdesk", "helpscout", "intercom", "kustomer", "front", "reamaze", "standard")
TIMESTAMPED = ("zendesk", "front", "standard")
NOW = 1_800_000_000.0  # the pinned clock of unit tests
STANDARD_KEY = b"standard webhooks key 24b"
SECRETS = {provider: f"{provider}_secret_2026" for provider in PROVIDERS}
SECRETS["standard"] = "whsec_" + base64.b64encode(STANDARD_KEY).decode()
OLD_SECRETS = {provider: f"{provider}_secret_2025" for provider in PROVIDERS}
OLD_SECRETS["standard"] = "whsec_" + base64.b64encode(b"the key before the rotation").decode()


def secret_env() -> dict:
    """`<PROVIDER>_WEBHOOK_SECRET` for every provider, the old secret still accepted."""
    return {f"{p.upper()}_WEBHOOK_SECRET": f"{OLD_SECRETS[p]},{SECRETS[p]}" for p in PROVIDERS}


def _hmac(key: str | bytes, message: bytes, algorithm=hashlib.sha256) -> bytes:
    return hmac.new(key.encode() if isinstance(key, str) else key, message, algorithm).digest()


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def signed_headers(provider: str, body: bytes, secret: str, at: float, event_id: str = "ev-1") -> dict:
    """The headers `provider` sends with `body`, signed with `secret` at unix time `at`."""
    if provider == "zendesk":
        stamp = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"X-Zendesk-Webhook-Signature-Timestamp": stamp,
                "X-Zendesk-Webhook-Signature": _b64(_hmac(secret, stamp.encode() + body))}
    if provider == "gorgias":
        return {"X-Webhook-Token": secret}
    if provider == "freshdesk":
        return {"Authorization": "Basic " + base64.b64encode(f"replacements:{secret}".encode()).decode()}
    if provider == "helpscout":
        return {"X-HelpScout-Event": "convo.tags",
                "X-HelpScout-Signature": _b64(_hmac(secret, body, hashlib.sha1))}
    if provider == "intercom":
        return {"X-Hub-Signature": "sha1=" + _hmac(secret, body, hashlib.sha1).hex()}
    if provider == "kustomer":
        return {"X-Kustomer-Webhook-Event": "kustomer.conversation.update",
                "X-Kustomer-Webhook-Signature": _hmac(secret, body).hex()}
    if provider == "front":
        stamp = str(int(at * 1000))
        return {"X-Front-Request-Timestamp": stamp,
                "X-Front-Signature": _b64(_hmac(secret, stamp.encode() + b":" + body))}
    if provider == "reamaze":
        return {"X-Reamaze-Hmac-SHA256": _b64(_hmac(secret, body))}
    if provider == "standard":
        stamp = str(int(at))
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signature = _b64(_hmac(key, f"{event_id}.{stamp}.".encode() + body))
        return {"webhook-id": event_id, "webhook-timestamp": stamp, "webhook-signature": f"v1,{signature}"}
    raise ValueError(provider)


def ticket_payload(provider: str, ticket_id: str = "101", tags=("vip", "replace"), email: str | None = None,
                   order: str | None = "#1001", lines: str | None = None, reason: str = "Arrived broken",
                   event_id: str = "ev-1") -> dict:
    """A ticket event as `provider` shapes it; `ticket_id` is the id the helpdesk gives it."""
    if provider in ("zendesk", "gorgias", "freshdesk", "standard"):
        separator = " " if provider == "zendesk" else ", "
        ticket = {"ticket_id": ticket_id, "tags": separator.join(tags), "customer_email": email or "",
                  "order": order or "", "lines": lines or "", "reason": reason}
        if provider == "standard":
            return {"type": "ticket.tagged", "timestamp": "2026-11-26T10:00:00Z", "data": ticket}
        return ticket
    fields = {"Order": order, "Replacement lines": lines}
    if provider == "helpscout":
        return {"id": int(ticket_id), "number": 15473, "status": "active", "subject": reason,
                "createdBy": {"id": 12, "type": "customer", "email": email},
                "primaryCustomer": {"id": 238604, "email": email},
                "tags": [{"id": 9150 + i, "color": "#929499", "tag": tag} for i, tag in enumerate(tags)],
                "customFields": [{"id": 6688 + i, "name": name, "value": value}
                                 for i, (name, value) in enumerate(fields.items()) if value]}
    if provider == "intercom":
        return {"type": "notification_event", "app_id": "abc123", "id": f"notif_{event_id}",
                "topic": "conversation_part.tag.created", "delivery_status": "pending", "delivery_attempts": 1,
                "first_sent_at": 1553378744, "created_at": 1553378744,
                "data": {"type": "notification_event_data", "item": {
                    "type": "conversation", "id": ticket_id, "title": reason,
                    "source": {"type": "conversation", "author": {"type": "user", "email": email}},
                    "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": str(2525085 + i), "name": tag}
                                                          for i, tag in enumerate(tags)]},
                    "tags_added": {"type": "tag.list", "tags": [{"type": "tag", "id": "2525085", "name": tags[-1]}]},
                    "custom_attributes": {name: value for name, value in fields.items() if value}}}}
    if provider == "kustomer":
        return {"id": event_id, "name": "kustomer.conversation.update", "org": "5f8481c6a22ab5b9d5f2dd8a",
                "partition": "5f8481c6a22ab5b9d5f2dd8a",
                "data": {"type": "conversation", "id": ticket_id,
                         "attributes": {"name": reason, "status": "open", "tags": list(tags),
                                        "custom": {"orderStr": order, "replacementLinesTxt": lines}},
                         "relationships": {"customer": {"data": {"type": "customer", "id": "6717c29de5b1"}}}},
                "changes": {"attributes": {"tags": {"before": list(tags[:-1]), "after": list(tags)}}}}
    if provider == "front":
        return {"_links": {"self": f"https://api2.frontapp.com/events/{event_id}"}, "id": event_id, "type": "tag",
                "emitted_at": 1700000000.0,
                "conversation": {"id": ticket_id, "subject": reason, "status": "unassigned",
                                 "recipient": {"handle": email, "role": "from"},
                                 "tags": [{"id": f"tag_{i}", "name": tag} for i, tag in enumerate(tags)],
                                 "custom_fields": {name: value for name, value in fields.items() if value}},
                "target": {"_meta": {"type": "tag"}, "data": {"id": "tag_last", "name": tags[-1]}}}
    if provider == "reamaze":
        return {"conversation": {"slug": ticket_id, "subject": reason, "status": 0, "tag_list": list(tags),
                                 "author": {"name": "Bob Norman", "email": email},
                                 "data": {name: value for name, value in fields.items() if value}}}
    raise ValueError(provider)


def encode(payload: dict) -> bytes:
    return json.dumps(payload).encode()
