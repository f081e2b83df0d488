"""When a request ends (completed, held for approval, failed, cancelled), who hears of it: the
ticket it came from gets a private note (worker/ticket_notes/) and EVENTS_URL gets a signed event
(worker/events_out.py). Both are delivered by tasks of their own, so neither ever blocks, delays
or fails the replacement.

The state machine calls `announce(request_id, outcome)` as it writes an outcome, after its
journal entry and before its final status (worker/state_machine.py, worker/cancellation.py). A
mark in Redis is set before each task is queued, so a task that runs twice announces once; a
mark whose task could not be queued is taken back and the error raised as a Redis error, so the
replacement's task is retried and announces again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import redis
from kombu.exceptions import OperationalError

from core import keys
from core.settings import Settings
from core.store import State
from worker import events_out, ticket_notes

log = logging.getLogger(__name__)

OUTCOMES = ("completed", "held", "failed", "cancelled")
# The journal is read from the request's creation on (our clock, minus this for another
# machine's) until its first done or failed entry, at most this many entries.
CLOCK_SKEW_SECONDS = 300
JOURNAL_SCAN_MAX = 50_000
_QUEUE_EVENT = """
if redis.call('set', KEYS[1], 'queued', 'NX', 'EX', ARGV[2]) then
  redis.call('rpush', KEYS[2], ARGV[1])
  redis.call('expire', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Outcome:
    """What is known of a request as it ends, from its record and its journal."""

    kind: str
    request_id: str
    created_at: float
    at: float
    shop: str
    source: str
    source_label: str
    order: dict  # {"id": gid or None, "name": "#1001" or as asked}
    replacement: dict | None = None  # {"id", "name"} of the order made
    draft: dict | None = None  # {"id", "name"}
    reason_code: str | None = None
    reason: str | None = None
    held_because: list[str] = field(default_factory=list)
    failure: str | None = None  # why it failed or was cancelled
    lines: list[dict] = field(default_factory=list)  # [{"sku", "quantity"}]
    retail_value: str | None = None
    currency: str | None = None

    @property
    def replacement_url(self) -> str | None:
        return admin_url(self.shop, (self.replacement or {}).get("id"))

    @property
    def draft_url(self) -> str | None:
        return admin_url(self.shop, (self.draft or {}).get("id"))


def outcome_of(state: State, request_id: str, kind: str, at: float | None = None) -> Outcome:
    record = state.get(request_id)
    if record is None:
        raise LookupError(f"unknown request {request_id}")
    request = record["request"]
    created_at = float(record.get("created_at") or 0)
    entries = {entry["event"]: entry["detail"] for entry in journal_of(state, request_id, created_at)}
    creating, done = entries.get("creating", {}), entries.get("done", {})
    order_name = done.get("order") or entries.get("received", {}).get("order") or request.get("order")
    draft = None
    if record.get("draft_id"):
        draft = {"id": record["draft_id"], "name": entries.get("draft_created", {}).get("name")}
    replacement = None
    if kind == "completed" and record.get("replacement_id"):
        replacement = {"id": record["replacement_id"], "name": record.get("replacement_name")}
    return Outcome(
        kind=kind, request_id=request_id, created_at=created_at, at=time.time() if at is None else at,
        shop=request["shop"], source=request.get("source", "unknown"),
        source_label=request.get("source_label", ""), order={"id": record.get("order_id"), "name": order_name},
        replacement=replacement, draft=draft, reason_code=request.get("reason_code"), reason=request.get("reason"),
        held_because=list(creating.get("held_because") or []) if kind == "held" else [],
        failure=record.get("reason") if kind in ("failed", "cancelled") else None,
        lines=[{"sku": sku, "quantity": quantity} for sku, quantity in creating.get("lines") or []],
        retail_value=creating.get("retail_value"), currency=creating.get("currency"))


def journal_of(state: State, request_id: str, since: float) -> list[dict]:
    """The request's journal entries from its creation up to its first done or failed one: the
    stream is read forward from then, so a cancellation days later still reads only that far."""
    start, scanned, found = f"{max(0, int((since - CLOCK_SKEW_SECONDS) * 1000))}-0", 0, []
    while scanned < JOURNAL_SCAN_MAX:
        rows = state.client.xrange(keys.JOURNAL, min=start, max="+", count=500)
        for _, fields in rows:
            if fields[b"request_id"].decode() != request_id:
                continue
            found.append({"event": fields[b"event"].decode(), "detail": json.loads(fields[b"detail"])})
            if found[-1]["event"] in ("done", "failed"):
                return found
        if len(rows) < 500:
            return found
        scanned += len(rows)
        start = "(" + rows[-1][0].decode()
    return found


def admin_url(shop: str, gid: str | None) -> str | None:
    """The Shopify admin page of an order or a draft order: admin.shopify.com/store/<store handle>/..."""
    if not gid:
        return None
    kind, _, number = gid.removeprefix("gid://shopify/").partition("/")
    page = {"Order": "orders", "DraftOrder": "draft_orders"}.get(kind)
    if page is None or not number.isdigit():
        return None
    return f"https://admin.shopify.com/store/{shop.removesuffix('.myshopify.com')}/{page}/{number}"


@dataclass
class Announcer:
    """`announce(request_id, outcome)`, with what it needs: the ticket note and the event are
    each queued once (`enqueue_note(note)`, `enqueue_events(request_id)`: the tasks' delay)."""

    settings: Settings
    state: State
    enqueue_note: Callable[[dict], object]
    enqueue_events: Callable[[str], object]

    def __call__(self, request_id: str, kind: str) -> None:
        record = self.state.get(request_id)
        ticket = ticket_notes.ticket_of(self.settings, record["request"]) if record else None
        if not ticket and not self.settings.events_url:
            return
        try:
            outcome = outcome_of(self.state, request_id, kind)
            note = ticket_notes.note(outcome, *ticket) if ticket else None
            event = events_out.outbox_item(outcome) if self.settings.events_url else None
        except redis.RedisError:
            raise
        except Exception:  # a bug here must not fail the replacement: logged, and this outcome is not told
            log.exception("outcome not announced", extra={"request_id": request_id, "outcome": kind})
            return
        if note:
            self._queue_note(note)
        if event:
            self._queue_event(request_id, kind, event)

    def _queue_note(self, note: dict) -> None:
        mark = keys.announced("note", note["request_id"], note["outcome"])
        if not self.state.client.set(mark, "queued", nx=True, ex=self.state.retention):
            return
        try:
            self.enqueue_note(note)
        except OperationalError as error:
            self.state.client.delete(mark)
            raise redis.ConnectionError(f"ticket note not queued: {error}") from error

    def _queue_event(self, request_id: str, kind: str, item: dict) -> None:
        mark, outbox, raw = keys.announced("event", request_id, kind), keys.events_outbox(request_id), json.dumps(item)
        if not self.state.client.eval(_QUEUE_EVENT, 2, mark, outbox, raw, self.state.retention):
            return
        try:
            self.enqueue_events(request_id)
        except OperationalError as error:
            pipe = self.state.client.pipeline()
            pipe.lrem(outbox, 1, raw)
            pipe.delete(mark)
            pipe.execute()
            raise redis.ConnectionError(f"event not queued: {error}") from error
