"""Write-back to the ticket: when a request that came from a helpdesk ends, a private note on that
ticket says what happened, in one or two plain lines (the replacement's order number and its
Shopify admin link, or why it is held or failed).

One module per vendor, named for the provider as web/helpdesks/ names it, defining a class
`Helpdesk(TicketNotes)` that builds the vendor's request (see `TicketNotes`). A vendor is
written to when its `<PROVIDER>_API_*` credentials are set (core/settings.py).

`deliver` is the task's body: one attempt, then another later while it fails in a way that may
pass (worker/outbound.py); what keeps failing is journaled and counted, and never touches the
replacement. A note is marked sent in Redis, so a task that runs twice writes it once.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from core import keys
from core.log_context import bind
from core.metrics import Metrics
from core.settings import Settings
from core.store import FINAL, State
from worker.outbound import Attempt, TryLater, attempt, next_wait

if TYPE_CHECKING:
    from worker.outcomes import Outcome

log = logging.getLogger(__name__)

# web/helpdesks/base.py labels a helpdesk request "<provider> ticket <ticket id>".
TICKET_LABEL = re.compile(r"^(?P<provider>[a-z0-9_]+) ticket (?P<ticket>[A-Za-z0-9_.:-]{1,64})$")
# The note is sent once the outcome is written (it is announced just before): how long to wait for it.
FINAL_WAIT_SECONDS = 60
USER_AGENT = "replacement-worker (ticket notes)"


@dataclass(frozen=True)
class NoteRequest:
    method: str
    path: str
    body: dict
    auth: tuple[str, str] | None = None
    headers: Mapping[str, str] | None = None


class TicketNotes:
    """Base of every vendor's adapter. A subclass gives `provider` and `request(ticket, text,
    note_id) -> NoteRequest`: the method, the path under `<PROVIDER>_API_URL`, the JSON body and
    basic auth or headers, read from `self.api` (its `<PROVIDER>_API_*` settings, lowercased:
    `url`, `email`, `token`, ...). `note_id` names the note across attempts, for vendors that
    dedupe on one. A vendor that wants a token fetched first overrides `write`."""

    provider = ""

    def __init__(self, api: Mapping[str, str]):
        self.api = api

    def request(self, ticket: str, text: str, note_id: str) -> NoteRequest:
        raise NotImplementedError

    def write(self, session: requests.Session, ticket: str, text: str, note_id: str) -> Attempt:
        call = self.request(ticket, text, note_id)
        return attempt(session, call.method, f"{self.api['url']}{call.path}", json=call.body, auth=call.auth,
                       headers={"User-Agent": USER_AGENT, **(call.headers or {})})


def _adapters() -> dict[str, type[TicketNotes]]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        adapter = getattr(importlib.import_module(f"{__name__}.{module.name}"), "Helpdesk", None)
        if adapter is not None:
            found[module.name] = adapter
    return found


ADAPTERS = _adapters()


def helpdesk(settings: Settings, provider: str) -> TicketNotes | None:
    """The provider's adapter when its credentials are set, else None (no write-back)."""
    api = settings.helpdesk_apis.get(provider)
    return ADAPTERS[provider](api) if api and provider in ADAPTERS else None


def ticket_of(settings: Settings, request: Mapping) -> tuple[str, str] | None:
    """(provider, ticket id) of a request that came from a helpdesk that is written back to."""
    match = TICKET_LABEL.match(request.get("source_label") or "")
    if request.get("source") != "helpdesk" or not match or not helpdesk(settings, match["provider"]):
        return None
    return match["provider"], match["ticket"]


def note_text(outcome: Outcome) -> str:
    order = outcome.order.get("name")
    of = f" for {order}" if order else ""
    if outcome.kind == "completed":
        return f"Replacement order {outcome.replacement['name']} created{of}.\n{outcome.replacement_url}"
    draft = (outcome.draft or {}).get("name") or "draft"
    if outcome.kind == "held":
        why = "; ".join(outcome.held_because) or "held for a person"
        return f"Replacement{of} held for approval as draft {draft}: {why}.\n{outcome.draft_url}"
    if outcome.kind == "cancelled":
        return f"Replacement draft {draft}{of} deleted: {outcome.failure}."
    return f"Replacement{of} failed: {outcome.failure}."


def note(outcome: Outcome, provider: str, ticket: str) -> dict:
    """The task message: everything the note needs, fixed when the outcome is announced."""
    return {"request_id": outcome.request_id, "outcome": outcome.kind, "provider": provider, "ticket": ticket,
            "text": note_text(outcome), "queued_at": outcome.at,
            "note_id": hashlib.sha256(f"{outcome.request_id}:{outcome.created_at}:{outcome.kind}".encode())
            .hexdigest()[:32]}


def deliver(settings: Settings, state: State, metrics: Metrics, note: dict) -> str:
    """Writes `note` (see `note`) on its ticket: "sent", "failed" or "skipped"; raises TryLater."""
    request_id, provider = note["request_id"], note["provider"]
    mark = keys.announced("note", request_id, note["outcome"])
    with bind(request_id=request_id):
        if (done := state.client.get(mark)) in (b"sent", b"failed"):
            return done.decode()
        record = state.get(request_id)
        if record and record["status"] not in FINAL and time.time() - note["queued_at"] < FINAL_WAIT_SECONDS:
            raise TryLater(1.0, "the outcome is not written yet")
        adapter = helpdesk(settings, provider)
        if adapter is None:
            return _give_up(state, metrics, note, mark, f"{provider.upper()}_API_* is no longer set", "skipped")
        with state.lock(f"note:{request_id}:{note['outcome']}", ttl_seconds=15), requests.Session() as session:
            if state.client.get(mark) == b"sent":
                return "sent"
            result = adapter.write(session, note["ticket"], note["text"], note["note_id"])
            if result.ok:
                state.client.set(mark, "sent", xx=True, keepttl=True)
                state.journal(request_id, "ticket_note_sent", provider=provider, ticket=note["ticket"],
                              outcome=note["outcome"], status=result.status)
                metrics.ticket_note(provider, "sent")
                log.info("ticket note sent", extra={"provider": provider, "ticket": note["ticket"]})
                return "sent"
        wait = next_wait(note["queued_at"], result.retry_after) if result.retryable else None
        if wait is None:
            return _give_up(state, metrics, note, mark, result.describe(), "failed")
        metrics.ticket_note(provider, "retried")
        log.warning("ticket note not sent, tried again later", extra={
            "provider": provider, "ticket": note["ticket"], "error": result.describe(),
            "retry_in_seconds": round(wait)})
        raise TryLater(wait, result.describe())


def _give_up(state: State, metrics: Metrics, note: dict, mark: str, error: str, result: str) -> str:
    state.client.set(mark, "failed", xx=True, keepttl=True)
    state.journal(note["request_id"], "ticket_note_failed", provider=note["provider"], ticket=note["ticket"],
                  outcome=note["outcome"], error=error, tried_for_seconds=round(time.time() - note["queued_at"]))
    metrics.ticket_note(note["provider"], "failed")
    log.warning("ticket note given up", extra={"provider": note["provider"], "ticket": note["ticket"],
                                               "error": error})
    return result
