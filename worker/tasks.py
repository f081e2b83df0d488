"""The Celery tasks, each declared through `replacement_task` (worker/task_base.py) under its
name in core/keys.py, the name the web tier writes into its messages."""

from __future__ import annotations

import logging
import time

from core import keys
from shopify import documents as docs
from shopify.client import ShopifyClient
from worker import privacy
from worker.state_machine import Replacer
from worker.task_base import ReplacementTask, replacement_task

log = logging.getLogger(__name__)

STUCK_AFTER_SECONDS = 300


def replacer(task: ReplacementTask, shop_domain: str) -> Replacer:
    settings, services = task.app.settings, task.app.services
    return Replacer(settings, settings.shop(shop_domain), services.client_for(shop_domain), services.state,
                    metrics=services.metrics)


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
    """Feeds what webhooks missed through the same idempotent path: orders still tagged with
    the trigger tag, and requests stuck in a non-final state."""
    settings, services = self.app.settings, self.app.services
    tagged = 0
    for shop in settings.shops.values():
        for order_id in _orders_tagged(services.client_for(shop.domain), settings.replacement_tag):
            handle_event.delay({"shop": shop.domain, "source": "reconcile", "source_label": "admin tag",
                                "order": order_id})
            tagged += 1
    stuck = 0
    state = services.state
    for request_id in state.open_requests():
        record = state.get(request_id)
        if record and time.time() - float(record.get("updated_at", 0)) > STUCK_AFTER_SECONDS:
            process_request.delay(request_id, record["request"]["shop"])
            stuck += 1
    log.info("reconciled", extra={"tagged_orders": tagged, "stuck_requests": stuck})
    return {"tagged_orders": tagged, "stuck_requests": stuck}


def _orders_tagged(client: ShopifyClient, tag: str):
    after = None
    while True:
        # The prefix also finds the reason forms (needs-replacement-lost); the worker reads the tags again.
        query = f"tag:{tag} OR tag:{tag}*"
        page = client.query(docs.ORDERS_TAGGED, {"query": query, "after": after})["orders"]
        yield from (node["id"] for node in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]
