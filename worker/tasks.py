"""Celery tasks. Every task is declared through `replacement_task`, whose base class owns
retries, the dead-letter list and logging context. Tasks take small dicts and ids, and
re-read the world before acting.
"""

from __future__ import annotations

import functools
import logging
import random
import time

import redis
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from core.metrics import Metrics
from core.store import LockBusy, State
from shopify import documents as docs
from shopify.budget import SharedBudget
from shopify.client import ShopifyClient
from shopify.errors import RetryableShopifyError
from worker import privacy
from worker.celery_app import app, settings
from worker.celery_app_config import RETRY_BACKOFF_MAX
from worker.replacement import Replacer

log = logging.getLogger(__name__)

MAX_RETRIES = 12
STUCK_AFTER_SECONDS = 300


class ReplacementTask(Task):
    """Retries what may pass (Shopify 5xx, network, a lock held elsewhere, Redis blips) with
    capped exponential backoff and jitter; when retries run out, or on an unexpected error, the
    task lands in the dead-letter list with its error, to be replayed by `python -m ops.deadletter`.
    """

    autoretry_for = (RetryableShopifyError, redis.ConnectionError, redis.TimeoutError,
                     SoftTimeLimitExceeded)
    retry_backoff = True
    retry_backoff_max = RETRY_BACKOFF_MAX
    retry_jitter = True
    max_retries = MAX_RETRIES

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except LockBusy as busy:
            # Another worker holds the request: come back when its lease would have ended.
            raise self.retry(exc=busy, countdown=busy.retry_in + random.uniform(0, 0.5)) from None

    def before_start(self, task_id, args, kwargs):
        self.request.started_at = time.monotonic()
        log.info("task start", extra={"task": self.name, "task_id": task_id, "attempt": self.request.retries})

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        log.info("task retry", extra={"task": self.name, "task_id": task_id, "error": str(exc)[:300]})
        metrics().task_retried(self.name)

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        started = getattr(self.request, "started_at", None)
        if started is not None:
            metrics().task_finished(self.name, status, time.monotonic() - started)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        log.error("task failed, dead-lettered", extra={"task": self.name, "task_id": task_id,
                                                       "error": f"{type(exc).__name__}: {exc}"[:500]})
        state().dead_letter(self.name, list(args), f"{type(exc).__name__}: {exc}")


replacement_task = functools.partial(app.task, base=ReplacementTask, bind=True)


@functools.cache
def state() -> State:
    # Ride out a Redis restart of a few seconds inside the task: a task that fails while
    # Redis is down cannot even publish its retry.
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.1), retries=8)
    return State(redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3, retry=retry,
                                      retry_on_error=[redis.ConnectionError, redis.TimeoutError]))


@functools.cache
def metrics() -> Metrics:
    return Metrics.from_url(settings.redis_url)


@functools.cache
def client_for(shop_domain: str) -> ShopifyClient:
    shop = settings.shop(shop_domain)
    if shop is None:
        raise LookupError(f"shop {shop_domain} is not configured")
    return ShopifyClient(shop, budget=SharedBudget(state().client, shop.domain), metrics=metrics())


def replacer(shop_domain: str) -> Replacer:
    return Replacer(settings, settings.shop(shop_domain), client_for(shop_domain), state(), metrics=metrics())


@replacement_task()
def handle_signal(self, signal: dict) -> str | None:
    return replacer(signal["shop"]).handle_signal(signal)


@replacement_task()
def process_request(self, request_id: str, shop: str) -> str:
    return replacer(shop).process(request_id)


@replacement_task()
def handle_cancelled(self, event: dict) -> list[str]:
    """orders/cancelled: the original's replacement drafts still waiting for a person are deleted."""
    return replacer(event["shop"]).handle_cancelled(event["order"])


@replacement_task()
def handle_compliance(self, event: dict) -> dict:
    """Shopify's customers/data_request, customers/redact and shop/redact (see worker/privacy.py)."""
    return privacy.handle(state(), event)


@replacement_task()
def reconcile(self) -> dict:
    """Feeds what webhooks missed through the same idempotent path: orders still tagged with
    the trigger tag, and requests stuck in a non-final state."""
    tagged = 0
    for shop in settings.shops.values():
        for order_id in _orders_tagged(client_for(shop.domain), settings.replacement_tag):
            handle_signal.delay({"shop": shop.domain, "source": "reconcile", "source_label": "admin tag",
                                 "order": order_id})
            tagged += 1
    stuck = 0
    for request_id in state().open_requests():
        record = state().get(request_id)
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
