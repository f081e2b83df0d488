"""Carrying one replacement request through Shopify, exactly once.

Shopify has no idempotency key for draft-order mutations, so every step first looks at what
is already there (our state in Redis, then Shopify itself) and only then writes:

    received -> creating -> draft_created -> completing -> completed -> done
                                     \\-> (draft mode / held by policy) -> done
    any step -> failing -> failed     (permanent: reason on the journal and the original)

A worker may die anywhere; the task is redelivered and `process` resumes from the state.
A create whose answer was lost is found again by its request id before any second create.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from core.errors import PermanentFailure
from core.log_context import bind
from core.metrics import Metrics
from core.settings import Settings, Shop
from core.store import FINAL, State
from replacements.planner import order_number, plan_replacement
from replacements.recipe import with_recipe
from replacements.records import ADMIN_SOURCES, Event, request_from
from replacements.triggers import FAILED_TAG, ISSUED_TAG
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.errors import BudgetShort, RetryableShopifyError, ShopifyUserErrors
from worker import circuit_breaker, policy_facts
from worker.admin_requests import admin_request
from worker.cancellation import delete_open_replacements
from worker.order_lookup import not_found_reason, read_order, resolve_order
from worker.recipe_steps import RecipeSteps

log = logging.getLogger(__name__)

READY_POLLS = 20
# A draftOrderCreate whose answer was lost is looked for this long before a second create.
# Shopify documents no delay between a write and its search index (FACTS §3.5, §10.4), so the
# wait is three times the 10 s used before: a few task retries, paid only when an answer is lost.
# Should two drafts still carry one request id, the spare one is deleted (`_drop_spares`).
SEARCH_GRACE_SECONDS = 30.0
CLOCK_SKEW_SECONDS = 300.0  # between this machine's clock and Shopify's
# draftOrderComplete's userError on a development or trial store (reported by a third party).
PLAN_REFUSAL = "Change your plan to allow customers to checkout and to create orders."


@dataclass
class Replacer:
    settings: Settings
    shop: Shop
    client: ShopifyClient
    state: State
    sleep: Callable[[float], None] = time.sleep
    metrics: Metrics | None = None
    # `announce(request_id, outcome)` (worker/outcomes.py), called as each outcome is written.
    announce: Callable[[str, str], None] | None = None

    # entry points ---------------------------------------------------------------------------
    def handle_event(self, event: Event) -> str | None:
        """Turns an event into a request id (new or already known) and processes it."""
        order = None
        if event["source"] in ADMIN_SOURCES:
            request_id, order = admin_request(self.settings, self.shop, self.client, self.state, event)
        else:
            request_id = event["request_id"]
            self.state.create_request(with_recipe(request_from(event, request_id), self.settings))
        if request_id:
            self.process(request_id, order)
        return request_id

    def process(self, request_id: str, order: dict | None = None) -> str:
        """`order`: the original as this task has just read it, if it has."""
        record = self.state.get(request_id)
        if record is None:
            raise PermanentFailure(f"unknown request {request_id}")
        if record["status"] in FINAL:
            return record["status"]
        with bind(request_id=request_id), self.state.lock(f"request:{request_id}") as lock:
            return self._process_locked(request_id, lock, order)

    def handle_cancelled(self, order_id: str) -> list[str]:
        return delete_open_replacements(self.client, self.state, order_id, self.announce)

    # the steps -------------------------------------------------------------------------------
    def _process_locked(self, request_id: str, lock, order: dict | None) -> str:
        record = self.state.get(request_id)  # again, under the lock: another worker may have moved it on
        request = record["request"]
        try:
            if record["status"] == "failing":
                return self._fail(request_id, record, record.get("reason", "failed"), lock)
            lock.extend()
            order = self._original(request_id, record, order)
            draft = self._find_or_create_draft(request_id, record, request, order, lock)
            if not draft["hold"] and not draft.get("order"):
                RecipeSteps(self.settings, self.client, self.state, self.sleep).before_completion(
                    request_id, order, draft, lock)
                draft = self._complete(request_id, draft, lock)
            lock.extend()
            self._release_original(request, order["id"], add=ISSUED_TAG, remove=FAILED_TAG, tags_read=order["tags"])
            # Journal first: whoever sees the final status finds its journal entry.
            self.state.journal(request_id, "done", order=order["name"],
                               replacement=(draft.get("order") or {}).get("name"), draft=draft["id"],
                               reason=request.get("reason_code") or request.get("reason"))
            if self.announce:
                self.announce(request_id, "held" if draft.get("hold") else "completed")
            self.state.update(request_id, status="done", finished_at=time.time())
            log.info("replacement done", extra={"request_id": request_id, "order": order["name"],
                                                "replacement": (draft.get("order") or {}).get("name")})
            self._count(request, "held" if draft.get("hold") else "completed")
            return "done"
        except PermanentFailure as failure:
            return self._fail(request_id, self.state.get(request_id), str(failure), lock)

    def _original(self, request_id: str, record: dict, order: dict | None) -> dict:
        order_id = record.get("order_id")
        if not order_id:
            order_id = resolve_order(self.client, record["request"])
            self.state.update(request_id, order_id=order_id)
        by_original_method = record["request"].get("shipping") == "original"
        if order is None or order["id"] != order_id or (by_original_method and "shippingLine" not in order):
            order = read_order(self.client, order_id, shipping_line=by_original_method)
        if order is None:
            raise PermanentFailure(not_found_reason(self.client, record["request"].get("order")))
        return order

    def _find_or_create_draft(self, request_id: str, record: dict, request: dict, order: dict, lock) -> dict:
        if record.get("draft_id"):
            draft = self.client.query(docs.DRAFT_ORDER_STATE, {"id": record["draft_id"]})["draftOrder"]
            if draft is None:
                raise PermanentFailure(f"draft {record['draft_id']} was deleted before completion")
            if int(record.get("creates") or 0) > 1 and not draft.get("order"):
                # Sent twice: the first draft may have become searchable since.
                self._drop_spares(request_id, draft, self._drafts_of(request_id, record, order), lock)
            return {**draft, "hold": record.get("hold") == "1"}
        if record["status"] == "creating":
            found = self._drafts_of(request_id, record, order)
            if found:
                keep = self._drop_spares(request_id, _first_made(found), found, lock)
                return self._remember_draft(request_id, keep, hold=record.get("hold") == "1")
            attempted_at = float(record.get("create_attempted_at") or 0)
            if time.time() - attempted_at < SEARCH_GRACE_SECONDS:
                # Search can lag a write: give an earlier create time to show before a second one.
                raise RetryableShopifyError("earlier draft create is not searchable yet")
        plan = plan_replacement(order, request)
        now = datetime.now(UTC)
        facts = policy_facts.gather(self.client, self.settings, order, plan, now)
        verdict, limit = circuit_breaker.reviewed(self.state.client, self.settings, self.shop.domain, request_id,
                                                  plan, now, facts)
        if limit:
            log.warning("circuit breaker holds a replacement", extra={"request_id": request_id, "limit": limit})
            if self.metrics:
                self.metrics.circuit_breaker_hold(self.shop.domain, limit)
        if verdict.hold:
            plan = plan_replacement(order, request, extra_tags=verdict.tags, reserve_until=verdict.reserve_until,
                                    held_because=verdict.reasons)
        hold = verdict.hold
        lock.extend()
        self.state.update(request_id, status="creating", create_attempted_at=time.time(),
                          creates=int(record.get("creates") or 0) + 1,
                          hold="1" if hold else "0", held_because="; ".join(verdict.reasons))
        self.state.journal(request_id, "creating", lines=[[line.sku, line.quantity] for line in plan.lines],
                           retail_value=str(plan.retail_value), currency=plan.currency,
                           held_because=list(verdict.reasons))
        try:
            payload = self.client.mutate(docs.DRAFT_ORDER_CREATE, {"input": plan.draft_input}, "draftOrderCreate")
        except BudgetShort:
            # Not sent, or throttled (nothing applied): no draft to look for when the task comes back.
            self.state.update(request_id, status=record["status"], creates=record.get("creates") or 0,
                              create_attempted_at=record.get("create_attempted_at") or 0)
            raise
        return self._remember_draft(request_id, payload["draftOrder"], hold=hold)

    def _drafts_of(self, request_id: str, record: dict, order: dict) -> list[dict]:
        """The drafts of this request: found by the replacement tag of the order, carrying the
        request id, and made after its record. An id comes back once RETENTION_DAYS erased its
        record (an order's taggings are counted from 1 again); an older draft is another request's."""
        query = f"tag:replacement-for-{order_number(order)}"
        drafts = self.client.query(docs.FIND_REPLACEMENT_DRAFTS, {"query": query})["draftOrders"]["nodes"]
        since = float(record["created_at"]) - CLOCK_SKEW_SECONDS
        found = [draft for draft in drafts
                 if {a["key"]: a["value"] for a in draft.get("customAttributes") or []}.get("Replacement request")
                 == request_id and datetime.fromisoformat(draft["createdAt"]).timestamp() >= since]
        if found:
            log.info("found the draft of an earlier attempt", extra={"request_id": request_id, "drafts": len(found)})
        return found

    def _drop_spares(self, request_id: str, keep: dict, found: list[dict], lock) -> dict:
        """One request, one draft: any other open draft carrying the request id is deleted, and counted."""
        for spare in found:
            if spare["id"] == keep["id"]:
                continue
            if spare.get("order"):
                log.error("two drafts of one request were completed", extra={
                    "request_id": request_id, "drafts": [keep["id"], spare["id"]]})
                continue
            lock.extend()
            self.client.mutate(docs.DRAFT_ORDER_DELETE, {"input": {"id": spare["id"]}}, "draftOrderDelete")
            self.state.journal(request_id, "duplicate_draft_deleted", draft=spare["id"], kept=keep["id"])
            log.warning("spare draft of one request deleted", extra={"request_id": request_id, "draft": spare["id"],
                                                                     "kept": keep["id"]})
            if self.metrics:
                self.metrics.duplicate_draft_deleted(self.shop.domain)
        return keep

    def _remember_draft(self, request_id: str, draft: dict, hold: bool) -> dict:
        self.state.update(request_id, status="draft_created", draft_id=draft["id"])
        self.state.journal(request_id, "draft_created", draft=draft["id"], name=draft.get("name"))
        return {**draft, "hold": hold}

    def _complete(self, request_id: str, draft: dict, lock) -> dict:
        for _ in range(READY_POLLS):
            if draft.get("order") or draft.get("ready"):
                break
            self.sleep(0.25)
            draft = self.client.query(docs.DRAFT_ORDER_STATE, {"id": draft["id"]})["draftOrder"]
        if draft.get("order"):
            return self._remember_completion(request_id, draft)
        if not draft.get("ready"):
            raise RetryableShopifyError(f"draft {draft['id']} is not ready yet")
        lock.extend()
        self.state.update(request_id, status="completing")
        try:
            payload = self.client.mutate(docs.DRAFT_ORDER_COMPLETE, {"id": draft["id"]}, "draftOrderComplete")
        except ShopifyUserErrors as refused:
            # A completion whose answer was lost looks like a refusal on the next try.
            again = self.client.query(docs.DRAFT_ORDER_STATE, {"id": draft["id"]})["draftOrder"]
            if again and again.get("order"):
                return self._remember_completion(request_id, again)
            if any(PLAN_REFUSAL in (error.get("message") or "") for error in refused.user_errors):
                raise PermanentFailure(
                    f"shop {self.shop.domain} cannot complete orders on its plan (a development or trial store: "
                    f"Shopify answered \"{PLAN_REFUSAL}\"); set REPLACEMENT_MODE=draft to leave replacements as "
                    f"drafts for a person, or change the shop's plan. Draft {draft.get('name') or draft['id']} "
                    f"stays open") from refused
            raise
        return self._remember_completion(request_id, payload["draftOrder"])

    def _remember_completion(self, request_id: str, draft: dict) -> dict:
        order = draft["order"]
        self.state.update(request_id, status="completed", replacement_id=order["id"], replacement_name=order["name"])
        self.state.journal(request_id, "completed", replacement=order["name"], replacement_id=order["id"])
        return draft

    def _fail(self, request_id: str, record: dict, reason: str, lock) -> str:
        self.state.update(request_id, status="failing", reason=reason)
        log.warning("replacement failed", extra={"request_id": request_id, "reason": reason})
        order_id = record.get("order_id")
        if order_id:
            lock.extend()
            try:
                self._release_original(record["request"], order_id, add=FAILED_TAG, remove=ISSUED_TAG)
            except ShopifyUserErrors as error:
                log.warning("could not tag the original", extra={"request_id": request_id, "error": str(error)})
        self.state.journal(request_id, "failed", reason=reason)
        if self.announce:
            self.announce(request_id, "failed")
        self.state.update(request_id, status="failed", finished_at=time.time())
        self._count(record["request"], "failed")
        return "failed"

    def _count(self, request: dict, outcome: str) -> None:
        if self.metrics:
            self.metrics.replacement(request.get("source", "unknown"), outcome)

    # Shopify writes on the original ----------------------------------------------------------
    def _release_original(self, request: dict, order_id: str, add: str, remove: str,
                          tags_read: list[str] | None = None) -> None:
        """Takes the trigger tag off the original and marks the outcome; for the admin tag,
        remembers Shopify's updatedAt of that write so a later stale read is not a new tagging.
        `tags_read`: the original's tags as this run read them; when none is to go, the removal
        (10 points) is not sent: a trigger tag added since is a new request, not ours to take."""
        trigger_tags = [self.settings.replacement_tag, *request.get("trigger_tags", [])]
        to_remove = [*trigger_tags, remove]
        if tags_read is None or set(to_remove) & set(tags_read):
            self.client.mutate(docs.TAGS_REMOVE, {"id": order_id, "tags": to_remove}, "tagsRemove")
        payload = self.client.mutate(docs.TAGS_ADD, {"id": order_id, "tags": [add]}, "tagsAdd")
        updated_at = ((payload.get("node") or {}).get("updatedAt"))
        if request.get("source") in ADMIN_SOURCES and updated_at:
            self.state.release_order(self.shop.domain, order_id.rsplit("/", 1)[-1], updated_at)


def _first_made(drafts: list[dict]) -> dict:
    """The completed draft if there is one, else the first made (Shopify's ids grow)."""
    return min(drafts, key=lambda draft: (not draft.get("order"), int(draft["id"].rsplit("/", 1)[-1])))
