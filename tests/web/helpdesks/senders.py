"""Helpdesks as tests see them: each provider's sample payloads (fixtures/<provider>/*.json) and
its way of signing, so a test can send what that helpdesk would send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PROVIDERS = tuple(sorted(path.name for path in FIXTURES.iterdir() if path.is_dir()))
FIXTURE_TAGS = ("vip", "replace")  # the tags of every ticket fixture, the trigger tag added last
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


def signed_headers(provider: str, body: bytes, secret: str, at: float, event_id: str = "ev-1",
                   stamp: str | None = None) -> dict:
    """The headers `provider` sends with `body`, signed with `secret` at unix time `at` (or with
    the timestamp header `stamp` as written, signed all the same)."""
    if provider == "zendesk":
        stamp = stamp or datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
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
        stamp = stamp or str(int(at * 1000))
        return {"X-Front-Request-Timestamp": stamp,
                "X-Front-Signature": _b64(_hmac(secret, stamp.encode() + b":" + body))}
    if provider == "reamaze":
        return {"X-Reamaze-Hmac-SHA256": _b64(_hmac(secret, body))}
    if provider == "standard":
        stamp = stamp or str(int(at))
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signature = _b64(_hmac(key, f"{event_id}.{stamp}.".encode() + body))
        return {"webhook-id": event_id, "webhook-timestamp": stamp, "webhook-signature": f"v1,{signature}"}
    raise ValueError(provider)


def fixture(provider: str, name: str = "ticket_tagged") -> dict:
    """fixtures/<provider>/<name>.json: `body` as the helpdesk sends it, `headers` it sends besides
    the signature's, and for a ticket event `ticket`, what the body says (see fixtures/README.md)."""
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def ticket_payload(provider: str, ticket_id: str = "101", tags=("vip", "replace"), email: str | None = None,
                   order: str | None = "#1001", lines: str | None = None, reason: str = "Arrived broken",
                   event_id: str = "ev-1") -> dict:
    """`provider`'s ticket_tagged fixture telling of this ticket instead: each value of its
    `ticket` replaced wherever the body holds it (None: the helpdesk sends nothing there), and
    its tags wherever the body spells them (all, all but the one just added, or that one)."""
    sample = fixture(provider)
    missing = [key for key, value in sample["ticket"].items() if value not in _leaves(sample["body"])]
    if missing:
        raise ValueError(f"fixtures/{provider}/ticket_tagged.json: its body does not hold the ticket's {missing}")
    wanted = {"ticket_id": ticket_id, "email": email, "order": order, "lines": lines, "reason": reason,
              "event_id": event_id}
    swaps = [(value, wanted[key]) for key, value in sample["ticket"].items()]
    return _retold(sample["body"], swaps, tuple(tags))


def _leaves(value) -> list:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _retold(value, swaps: list, tags: tuple):
    if isinstance(value, dict):
        return {key: _retold(item, swaps, tags) for key, item in value.items()}
    if isinstance(value, list):
        names = tuple(_tag_name(item) for item in value)
        for before, after in ((FIXTURE_TAGS, tags), (FIXTURE_TAGS[:-1], tags[:-1]), (FIXTURE_TAGS[-1:], tags[-1:])):
            if names == before:
                return [_tag_like(value, names, tag) for tag in after]
        return [_retold(item, swaps, tags) for item in value]
    if isinstance(value, str) and re.split(r"[,\s]+", value) == list(FIXTURE_TAGS):
        separator = value[len(FIXTURE_TAGS[0]):value.index(FIXTURE_TAGS[1])]
        return separator.join(tags)
    if value == FIXTURE_TAGS[-1]:  # the tag just added, as an event's target
        return tags[-1]
    for old, new in swaps:
        if type(value) is type(old) and value == old:
            return int(new) if isinstance(old, int) and new is not None else new
    return value


def _tag_name(item) -> str | None:
    return item.get("name") or item.get("tag") if isinstance(item, dict) else item


def _tag_like(items: list, names: tuple, tag: str):
    """The item of `tag` in `items`, else one like the last item that names `tag`."""
    if tag in names:
        return items[names.index(tag)]
    if isinstance(items[-1], dict):
        return {**items[-1], "name" if "name" in items[-1] else "tag": tag}
    return tag


def encode(payload: dict) -> bytes:
    return json.dumps(payload).encode()
