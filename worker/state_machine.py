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
from replacements.policy import review
from replacements.recipe import with_recipe
from replacements.records import ADMIN_SOURCES, Event, request_from
from replacements.triggers import FAILED_TAG, ISSUED_TAG
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.errors import RetryableShopifyError, ShopifyUserErrors
from worker import policy_facts
from worker.admin_requests import admin_request
from worker.cancellation import delete_open_replacements
from worker.order_lookup import not_found_reason, read_order, resolve_order
from worker.recipe_steps import RecipeSteps

log = logging.getLogger(__name__)

READY_POLLS = 20
SEARCH_GRACE_SECONDS = 10.0


@dataclass
class Replacer:
    settings: Settings
    shop: Shop
    client: ShopifyClient
    state: State
    sleep: Callable[[float], None] = time.sleep
    metrics: Metrics | None = None

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
        return delete_open_replacements(self.client, self.state, order_id)

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
                RecipeSteps(self.settings, self.client, self.state).before_completion(request_id, order, draft, lock)
                draft = self._complete(request_id, draft, lock)
            lock.extend()
            self._release_original(request, order["id"], add=ISSUED_TAG, remove=FAILED_TAG)
            # Journal first: whoever sees the final status finds its journal entry.
            self.state.journal(request_id, "done", order=order["name"],
                               replacement=(draft.get("order") or {}).get("name"), draft=draft["id"],
                               reason=request.get("reason_code") or request.get("reason"))
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
        if order is None or order["id"] != order_id:
            order = read_order(self.client, order_id)
        if order is None:
            raise PermanentFailure(not_found_reason(self.client, record["request"].get("order")))
        return order

    def _find_or_create_draft(self, request_id: str, record: dict, request: dict, order: dict, lock) -> dict:
        if record.get("draft_id"):
            draft = self.client.query(docs.DRAFT_ORDER_STATE, {"id": record["draft_id"]})["draftOrder"]
            if draft is None:
                raise PermanentFailure(f"draft {record['draft_id']} was deleted before completion")
            return {**draft, "hold": record.get("hold") == "1"}
        if record["status"] == "creating":
            found = self._find_earlier_draft(request_id, order)
            if found:
                return self._remember_draft(request_id, found, hold=record.get("hold") == "1")
            attempted_at = float(record.get("create_attempted_at") or 0)
            if time.time() - attempted_at < SEARCH_GRACE_SECONDS:
                # Search can lag a write: give an earlier create time to show before a second one.
                raise RetryableShopifyError("earlier draft create is not searchable yet")
        plan = plan_replacement(order, request)
        now = datetime.now(UTC)
        verdict = review(self.settings, plan, now, policy_facts.gather(self.client, self.settings, order, plan, now))
        if verdict.hold:
            plan = plan_replacement(order, request, extra_tags=verdict.tags, reserve_until=verdict.reserve_until)
        hold = verdict.hold
        lock.extend()
        self.state.update(request_id, status="creating", create_attempted_at=time.time(),
                          hold="1" if hold else "0", held_because="; ".join(verdict.reasons))
        self.state.journal(request_id, "creating", lines=[[line.sku, line.quantity] for line in plan.lines],
                           retail_value=str(plan.retail_value), currency=plan.currency,
                           held_because=list(verdict.reasons))
        payload = self.client.mutate(docs.DRAFT_ORDER_CREATE, {"input": plan.draft_input}, "draftOrderCreate")
        return self._remember_draft(request_id, payload["draftOrder"], hold=hold)

    def _find_earlier_draft(self, request_id: str, order: dict) -> dict | None:
        query = f"tag:replacement-for-{order_number(order)}"
        drafts = self.client.query(docs.FIND_REPLACEMENT_DRAFTS, {"query": query})["draftOrders"]["nodes"]
        for draft in drafts:
            attributes = {a["key"]: a["value"] for a in draft.get("customAttributes") or []}
            if attributes.get("Replacement request") == request_id:
                log.info("found the draft of an earlier attempt", extra={"request_id": request_id})
                return draft
        return None

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
        except ShopifyUserErrors:
            # A completion whose answer was lost looks like a refusal on the next try.
            again = self.client.query(docs.DRAFT_ORDER_STATE, {"id": draft["id"]})["draftOrder"]
            if again and again.get("order"):
                return self._remember_completion(request_id, again)
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
        self.state.update(request_id, status="failed", finished_at=time.time())
        self._count(record["request"], "failed")
        return "failed"

    def _count(self, request: dict, outcome: str) -> None:
        if self.metrics:
            self.metrics.replacement(request.get("source", "unknown"), outcome)

    # Shopify writes on the original ----------------------------------------------------------
    def _release_original(self, request: dict, order_id: str, add: str, remove: str) -> None:
        """Takes the trigger tag off the original and marks the outcome; for the admin tag,
        remembers Shopify's updatedAt of that write so a later stale read is not a new tagging."""
        trigger_tags = [self.settings.replacement_tag, *request.get("trigger_tags", [])]
        self.client.mutate(docs.TAGS_REMOVE, {"id": order_id, "tags": [*trigger_tags, remove]}, "tagsRemove")
        payload = self.client.mutate(docs.TAGS_ADD, {"id": order_id, "tags": [add]}, "tagsAdd")
        updated_at = ((payload.get("node") or {}).get("updatedAt"))
        if request.get("source") in ADMIN_SOURCES and updated_at:
            self.state.release_order(self.shop.domain, order_id.rsplit("/", 1)[-1], updated_at)

