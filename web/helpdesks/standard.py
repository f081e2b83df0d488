"""Standard Webhooks (standardwebhooks.com; Svix sends the same as `svix-*`): the generic adapter
for any sender that signs this way. Signed content `id.timestamp.body`, HMAC-SHA256 keyed with
the base64-decoded secret (after `whsec_`), `webhook-signature` a space-separated list of
`v1,<base64>`; the timestamp (unix seconds) is checked after the signature. The body is the
README's template, at the top level or under `data`; `webhook-id` dedupes retries."""

from __future__ import annotations

import base64
import binascii
import hmac

from flask import Request

from web.errors import InvalidSignature
from web.helpdesks.base import HelpdeskReceiver, check_fresh, seconds_from
from web.helpdesks.templated import templated_ticket
from web.helpdesks.ticket import Ticket
from web.signatures import hmac_digest


def header(request: Request, name: str) -> str | None:
    return request.headers.get(f"webhook-{name}") or request.headers.get(f"svix-{name}")


def signing_key(secret: str) -> bytes:
    encoded = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise InvalidSignature() from None


def signed_by_any(secrets: tuple[str, ...], message_id: str, timestamp: str, raw: bytes, signatures: str) -> bool:
    content = f"{message_id}.{timestamp}.".encode() + raw
    given = [value.encode() for version, _, value in (s.partition(",") for s in signatures.split()) if version == "v1"]
    found = False
    for secret in secrets:
        expected = base64.b64encode(hmac_digest(signing_key(secret), content))
        for signature in given:
            found |= hmac.compare_digest(expected, signature)
    return found


class Receiver(HelpdeskReceiver):
    provider = "standard"

    def verify(self, request: Request, raw: bytes) -> None:
        message_id, timestamp, signatures = (header(request, name) for name in ("id", "timestamp", "signature"))
        if not (message_id and timestamp and signatures):
            raise InvalidSignature()
        if not signed_by_any(self.secrets, message_id, timestamp, raw, signatures):
            raise InvalidSignature()
        check_fresh(seconds_from(timestamp))

    def parse(self, request: Request, body: dict) -> Ticket:
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        return templated_ticket(data, event_id=header(request, "id"))
