"""The Celery tasks, each declared through `replacement_task` (worker/task_base.py) under its
name in core/keys.py, the name the web tier writes into its messages."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from core import keys
from replacements import subscriptions
from shopify import webhook_subscriptions
from shopify.errors import ShopifyError
from worker import events_out, outcomes, privacy, reconciliation, ticket_notes
from worker.dry_run import preview
from worker.outbound import TryLater
from worker.state_machine import Replacer
from worker.task_base import ReplacementTask, replacement_task

log = logging.getLogger(__name__)

STUCK_AFTER_SECONDS = 300
# Refunds are found by their order's updated_at, through search: read a little before the last
# run, in case the index caught up late (Shopify documents no delay). Known requests are skipped.
REFUND_OVERLAP = timedelta(minutes=5)
# A dry run's answer waits this long for its web request, which gives up sooner.
DRY_RUN_REPLY_SECONDS = 30


def replacer(task: ReplacementTask, shop_domain: str) -> Replacer:
    settings, services = task.app.settings, task.app.services
    return Replacer(settings, settings.shop(shop_domain), services.client_for(shop_domain), services.state,
                    metrics=services.metrics, announce=outcomes.Announcer(
                        settings, services.state, enqueue_note=deliver_ticket_note.delay,
                        enqueue_events=deliver_events.delay))


@replacement_task(keys.HANDLE_EVENT)
def handle_event(self, event: dict) -> str | None:
    return replacer(self, event["shop"]).handle_event(event)


@replacement_task("worker.tasks.handle_signal")
def handle_signal(self, event: dict) -> str | None:
    """The name `handle_event` had before release 2026-12: messages queued then still run."""
    return replacer(self, event["shop"]).handle_event(event)


@replacement_task(keys.PROCESS_REQUEST)
def process_request(self, request_id: str, shop: str) -> str:
    return replacer(self, shop).process(request_id)


@replacement_task(keys.HANDLE_CANCELLED)
def handle_cancelled(self, event: dict) -> list[str]:
    """orders/cancelled: the original's replacement drafts still waiting for a person are deleted."""
    return replacer(self, event["shop"]).handle_cancelled(event["order"])


@replacement_task(keys.HANDLE_COMPLIANCE)
def handle_compliance(self, event: dict) -> dict:
    """Shopify's customers/data_request, customers/redact and shop/redact (see worker/privacy.py)."""
    return privacy.handle(self.app.services.state, event)


@replacement_task(keys.RECONCILE)
def reconcile(self) -> dict:
    """Feeds what webhooks missed through the same idempotent path: orders still carrying a
    trigger tag, refunds made since the last run whose note asks for a replacement, and requests
    stuck in a non-final state. A shop Shopify does not answer for is left to the next run.
    Queued behind fresh work (low priority): during an incident every order of its backlog is
    still tagged, and would otherwise be queued again ahead of every other shop's next request."""
    settings, services = self.app.settings, self.app.services
    found = {"tagged_orders": 0, "refunds": 0, "stuck_requests": 0}
    for shop in settings.shops.values():
        try:
            tagged, refunds = _reconcile_shop(services, settings, shop.domain)
        except ShopifyError as error:
            log.warning("reconcile skipped a shop", extra={"shop": shop.domain, "error": str(error)[:300]})
            continue
        found["tagged_orders"] += tagged
        found["refunds"] += refunds
    state = services.state
    for request_id in state.open_requests():
        record = state.get(request_id)
        if record and time.time() - float(record.get("updated_at", 0)) > STUCK_AFTER_SECONDS:
            process_request.apply_async([request_id, record["request"]["shop"]], priority=keys.LOW_PRIORITY)
            found["stuck_requests"] += 1
    log.info("reconciled", extra=found)
    return found


def _reconcile_shop(services, settings, domain: str) -> tuple[int, int]:
    client, redis_client = services.client_for(domain), services.state.client
    tagged = 0
    for order_id in reconciliation.tagged_orders(client, settings):
        handle_event.apply_async([{"shop": domain, "source": "reconcile", "source_label": "admin tag",
                                   "order": order_id}], priority=keys.LOW_PRIORITY)
        tagged += 1
    started = datetime.now(UTC)
    last = redis_client.get(keys.reconciled(domain))
    since = (datetime.fromtimestamp(float(last), UTC) - REFUND_OVERLAP if last
             else started - timedelta(minutes=2 * settings.reconcile_minutes))
    refunds = 0
    for event in reconciliation.refund_events(client, settings, since.replace(microsecond=0),
                                              known=lambda request_id: services.state.get(request_id) is not None):
        handle_event.apply_async([{**event, "shop": domain}], priority=keys.LOW_PRIORITY)
        refunds += 1
    redis_client.set(keys.reconciled(domain), started.timestamp())
    return tagged, refunds


@replacement_task(keys.REGISTER_WEBHOOKS)
def register_webhooks(self) -> dict:
    """A legacy custom app's subscriptions at WEBHOOK_URL, put back when Shopify deleted them after
    8 failed deliveries (it never deletes those a Dev Dashboard app declares in shopify.app.toml,
    so such a shop is left alone: registering them too would deliver every event twice)."""
    settings, services = self.app.settings, self.app.services
    done = {}
    for shop in settings.shops.values():
        if shop.mints_tokens or not settings.webhook_url:
            continue
        client = services.client_for(shop.domain)
        try:
            steps = subscriptions.plan(webhook_subscriptions.listed(client), settings.webhook_url)
            webhook_subscriptions.apply(client, steps)
        except ShopifyError as error:
            log.warning("webhook subscriptions not checked", extra={"shop": shop.domain, "error": str(error)[:300]})
            continue
        done[shop.domain] = {step.topic: step.action for step in steps}
        if changed := [step.topic for step in steps if step.action != "keep"]:
            log.warning("webhook subscriptions put back", extra={"shop": shop.domain, "topics": changed})
    return done


@replacement_task(keys.DRY_RUN)
def dry_run(self, request: dict, reply_key: str, answer_by: float) -> str:
    """`POST /api/replacements` with `dry_run`: the answer is pushed to `reply_key`, where the web
    tier waits until `answer_by` (a Unix time); past it nobody waits, so nothing is computed."""
    if time.time() > answer_by:
        return "late"
    settings, services = self.app.settings, self.app.services
    answer = preview(settings, services.client_for(request["shop"]), services.state.client, request)
    pipe = services.state.client.pipeline()
    pipe.lpush(reply_key, json.dumps(answer))
    pipe.expire(reply_key, DRY_RUN_REPLY_SECONDS)
    pipe.execute()
    return answer["decision"]


@replacement_task(keys.DELIVER_TICKET_NOTE)
def deliver_ticket_note(self, note: dict) -> str:
    """The private note on the ticket a request came from (worker/ticket_notes/): tried again later
    while it fails in a way that may pass; the replacement never waits for it."""
    services = self.app.services
    try:
        return ticket_notes.deliver(self.app.settings, services.state, services.metrics, note)
    except TryLater as later:
        return self.come_back(later.seconds)


@replacement_task(keys.DELIVER_EVENTS)
def deliver_events(self, request_id: str) -> int:
    """The request's outcome events, in order, to EVENTS_URL (worker/events_out.py)."""
    services = self.app.services
    try:
        return events_out.deliver(self.app.settings, services.state, services.metrics, request_id)
    except TryLater as later:
        return self.come_back(later.seconds)
