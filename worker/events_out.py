"""Events out: every outcome (`replacement.completed`, `.held`, `.failed`, `.cancelled`) is POSTed
to `EVENTS_URL`, signed as Standard Webhooks specifies (standardwebhooks.com) with the
`EVENTS_SECRET` (`whsec_...`): headers `webhook-id`, `webhook-timestamp`, `webhook-signature`
over `id.timestamp.body`.

At least once, in order per request: a request's events wait in its outbox in Redis (queued by
worker/outcomes.py) and one task at a time sends them oldest first, the next only after the
one before was answered 2xx or given up. A failed attempt comes back later, for hours
(worker/outbound.py); the body and the `webhook-id` stay the same on every attempt (only the
timestamp and signature are new), so a receiver dedupes on the id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import requests
from standardwebhooks import Webhook

from core import keys
from core.log_context import bind
from core.metrics import Metrics
from core.settings import Settings
from core.store import FINAL, State
from worker.outbound import TryLater, attempt, next_wait

if TYPE_CHECKING:
    from worker.outcomes import Outcome

log = logging.getLogger(__name__)

USER_AGENT = "replacement-worker (events)"
# An event is announced just before its outcome is written: how long to wait for the write.
FINAL_WAIT_SECONDS = 60


def body(outcome: Outcome) -> dict:
    """The event as Standard Webhooks suggests it: `type`, `timestamp` (of the outcome), `data`."""
    return {
        "type": f"replacement.{outcome.kind}",
        "timestamp": _iso(outcome.at),
        "data": {
            "request_id": outcome.request_id,
            "shop": outcome.shop,
            "source": outcome.source,
            "source_label": outcome.source_label,
            "order": outcome.order,
            "replacement": {**outcome.replacement, "admin_url": outcome.replacement_url}
            if outcome.replacement else None,
            "draft": {**outcome.draft, "admin_url": outcome.draft_url} if outcome.draft else None,
            "reason_code": outcome.reason_code,
            "reason": outcome.reason,
            "held_because": outcome.held_because,
            "failure": outcome.failure,
            "lines": outcome.lines,
            "retail_value": outcome.retail_value,
            "currency": outcome.currency,
        },
    }


def outbox_item(outcome: Outcome) -> dict:
    """What waits in the outbox: the body as sent (fixed bytes) and its `webhook-id`, the same for
    one outcome of one request whoever announces it."""
    digest = hashlib.sha256(f"{outcome.request_id}:{outcome.created_at}:{outcome.kind}".encode()).hexdigest()
    return {"webhook_id": f"msg_{digest[:32]}", "type": f"replacement.{outcome.kind}",
            "body": json.dumps(body(outcome), separators=(",", ":")), "queued_at": outcome.at}


def signed_headers(secret: str, webhook_id: str, payload: str, at: float) -> dict:
    timestamp = datetime.fromtimestamp(int(at), UTC)
    return {"webhook-id": webhook_id, "webhook-timestamp": str(int(at)),
            "webhook-signature": Webhook(secret).sign(webhook_id, timestamp, payload)}


def deliver(settings: Settings, state: State, metrics: Metrics, request_id: str) -> int:
    """Sends the request's waiting events in order; how many were sent. Raises TryLater."""
    outbox, client, sent = keys.events_outbox(request_id), state.client, 0
    with bind(request_id=request_id), state.lock(f"events:{request_id}", ttl_seconds=15), \
            requests.Session() as session:
        while (raw := client.lindex(outbox, 0)) is not None:
            item = json.loads(raw)
            record = state.get(request_id)
            if record and record["status"] not in FINAL and time.time() - item["queued_at"] < FINAL_WAIT_SECONDS:
                raise TryLater(1.0, "the outcome is not written yet")
            if not settings.events_url:
                _done(state, metrics, request_id, item, "failed", error="EVENTS_URL is no longer set")
                continue
            result = attempt(session, "POST", settings.events_url, data=item["body"].encode(), headers={
                "Content-Type": "application/json", "User-Agent": USER_AGENT,
                **signed_headers(settings.events_secret, item["webhook_id"], item["body"], time.time())})
            if result.ok:
                _done(state, metrics, request_id, item, "sent", status=result.status)
                sent += 1
                continue
            # Every failure is tried again until GIVE_UP_AFTER, as Standard Webhooks senders do.
            wait = next_wait(item["queued_at"], result.retry_after)
            if wait is None:
                _done(state, metrics, request_id, item, "failed", error=result.describe())
                continue
            metrics.event_out(item["type"], "retried")
            log.warning("event not delivered, tried again later", extra={
                "type": item["type"], "webhook_id": item["webhook_id"], "error": result.describe(),
                "retry_in_seconds": round(wait)})
            raise TryLater(wait, result.describe())
    return sent


def _done(state: State, metrics: Metrics, request_id: str, item: dict, result: str, **detail) -> None:
    kind = item["type"].removeprefix("replacement.")
    pipe = state.client.pipeline()
    pipe.lpop(keys.events_outbox(request_id))
    pipe.set(keys.announced("event", request_id, kind), result, xx=True, keepttl=True)
    pipe.execute()
    state.journal(request_id, f"event_{result}", type=item["type"], webhook_id=item["webhook_id"], **detail)
    metrics.event_out(item["type"], result)
    (log.info if result == "sent" else log.warning)(f"event {result}", extra={
        "type": item["type"], "webhook_id": item["webhook_id"], **detail})


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
