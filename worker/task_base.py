"""The one way a task is declared: `replacement_task`, whose base class owns retries, the
dead-letter list, logging and metrics. Tasks take small dicts and ids, and re-read the world
before acting.
"""

from __future__ import annotations

import json
import logging
import random
import time

import redis
from celery import Task, shared_task
from celery.exceptions import Ignore, Reject, SoftTimeLimitExceeded

from core import keys
from core.store import LockBusy
from shopify.errors import BudgetShort, RetryableShopifyError, ShopUnavailable
from worker.app import RETRY_BACKOFF_MAX

log = logging.getLogger(__name__)

MAX_RETRIES = 12
# A shop that is frozen, locked or refuses the credentials is asked again after this long,
# spread. Kept below the visibility timeout: a longer countdown is held by the worker and redelivered.
SHOP_WAIT_SECONDS = (10.0, 40.0)
PAUSE_SHOWN_SECONDS = 300


class ReplacementTask(Task):
    """Retries what may pass (Shopify 5xx, network, a lock held elsewhere, Redis blips) with
    capped exponential backoff and jitter; when retries run out, or on an unexpected error, the
    task lands in the dead-letter list with its error, to be replayed by `python -m ops.deadletter`.
    `self.app.services` holds the process's connections (worker/services.py).
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
        except ShopUnavailable as unavailable:
            return self.wait_for_shop(unavailable)
        except BudgetShort as short:
            # The shop's points come back at its slot: the worker takes other shops' work meanwhile.
            log.info("budget short, task deferred", extra={"shop": short.shop,
                                                           "retry_in_seconds": round(short.retry_in, 2)})
            self.app.services.metrics.budget_deferral(short.shop)
            return self.come_back(short.retry_in)

    def come_back(self, countdown: float):
        """Sends this task again in `countdown` seconds and ends this run, without counting a
        retry: retries are for errors, and waiting for a shop is none (it may last hours)."""
        request = self.request
        again = self.signature_from_request(request, request.args, request.kwargs, countdown=countdown,
                                            retries=request.retries)
        again.set(priority=keys.LOW_PRIORITY)  # behind every shop's fresh work (web/intake.py)
        if request.is_eager:
            return again.apply().get()
        try:
            again.apply_async()
        except Exception as error:  # the broker is away: the message stays ours, redelivered later
            raise Reject(error, requeue=True) from None
        raise Ignore()

    def retry(self, *args, **kwargs):
        """As Celery's, except when the retry cannot be published (Redis away longer than the
        client's own retries): Celery then rejects the message for good and the request is lost.
        Requeued instead: put back at once if Redis answers again by then, else left in the
        broker's unacked set and redelivered after the visibility timeout."""
        try:
            return super().retry(*args, **kwargs)
        except Reject as reject:
            if reject.requeue:
                raise
            log.warning("retry not published, message requeued", extra={
                "task": self.name, "task_id": self.request.id, "error": str(reject.reason)[:300]})
            raise Reject(reject.reason, requeue=True) from None

    def wait_for_shop(self, unavailable: ShopUnavailable):
        """The shop's work waits, for hours if need be: asked again every half minute or so, never failed."""
        countdown = random.uniform(*SHOP_WAIT_SECONDS)
        log.warning("shop unavailable, its work waits", extra={
            "shop": unavailable.shop, "reason": unavailable.reason, "error": str(unavailable)[:300],
            "retry_in_seconds": round(countdown, 1)})
        services = self.app.services
        services.metrics.shop_unavailable(unavailable.shop, unavailable.reason)
        try:
            services.state.client.set(keys.paused(unavailable.shop), json.dumps(
                {"reason": unavailable.reason, "error": str(unavailable)[:500], "at": time.time()}),
                ex=PAUSE_SHOWN_SECONDS)
        except redis.RedisError:
            pass  # coming back is what matters
        return self.come_back(countdown)

    def before_start(self, task_id, args, kwargs):
        self.request.started_at = time.monotonic()
        log.info("task start", extra={"task": self.name, "task_id": task_id, "attempt": self.request.retries})

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        log.info("task retry", extra={"task": self.name, "task_id": task_id, "error": str(exc)[:300]})
        self.app.services.metrics.task_retried(self.name)

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        started = getattr(self.request, "started_at", None)
        if started is not None:
            self.app.services.metrics.task_finished(self.name, status, time.monotonic() - started)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        log.error("task failed, dead-lettered", extra={"task": self.name, "task_id": task_id,
                                                       "error": f"{type(exc).__name__}: {exc}"[:500]})
        self.app.services.state.dead_letter(self.name, list(args), f"{type(exc).__name__}: {exc}")


def replacement_task(name: str):
    return shared_task(base=ReplacementTask, bind=True, name=name)
