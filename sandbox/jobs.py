"""Asynchronous jobs, as `orderCancel` starts them: `done` after a delay, and only then applied.

A timer applies a job when it is due (so its webhooks go out even if nobody asks), and every
Admin API call settles the jobs that are due first, so a read never sees a job late.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from sandbox.store import Store

GID_PREFIX = "gid://shopify/Job/"


def start(store: Store, effect: Callable[[], None], seconds: float, fails: bool = False) -> dict:
    """A job that runs `effect` (under the store's lock) after `seconds`, or does nothing if it `fails`."""
    job = {"id": GID_PREFIX + str(uuid.uuid4()), "due": time.monotonic() + seconds, "done": False,
           "effect": effect, "fails": fails}
    store.jobs[job["id"]] = job
    if seconds <= 0:
        _finish(job)
    else:
        timer = threading.Timer(seconds, settle_locked, args=(store,))
        timer.daemon = True
        timer.start()
    return job


def _finish(job: dict) -> None:
    job["done"] = True
    if not job["fails"]:
        job["effect"]()


def settle(store: Store) -> None:
    """Finish every job that is due; the caller holds `store.lock`."""
    moment = time.monotonic()
    for job in list(store.jobs.values()):
        if not job["done"] and job["due"] <= moment:
            _finish(job)


def settle_locked(store: Store) -> None:
    with store.lock:
        settle(store)
