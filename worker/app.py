"""The Celery application: `create_celery(settings)` builds it, with every Celery setting in
one mapping. Importing this module reads nothing and starts nothing; `worker/main.py` is the
entry point that reads the environment (`celery -A worker.main worker|beat`).
"""

from __future__ import annotations

from celery import Celery

from core import keys
from core.settings import Settings
from worker import kombu_patch
from worker.services import Services

# A task must finish well inside the visibility timeout, or Redis hands it to a second
# worker while the first still runs (measured in the team's Celery and Redis notes, B1a).
# Keep it short all the same: it is how long a message held by a worker that died whole
# (main process and pool), or whose ack or retry Redis was away for, waits before another
# worker gets it. Every task is idempotent and takes a per-request lock, so an early
# redelivery costs a retry, never a second replacement. It is settings.visibility_timeout
# (VISIBILITY_TIMEOUT, 75 s: a task's 45 s limit plus the longest retry countdown, 15 s, and
# a margin); the tests cut it to a few seconds to see a lost message come back.
TASK_SOFT_LIMIT = 40
TASK_HARD_LIMIT = 45
RETRY_BACKOFF_MAX = 15


def celery_config(settings: Settings, publisher: bool = False) -> dict:
    """One mapping for every Celery setting; `publisher` is the web tier, which must fail fast."""
    connect_timeout = 0.5 if publisher else 3
    return {
        "broker_url": settings.redis_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout,
            "socket_timeout": 1 if publisher else 5,
            "socket_connect_timeout": connect_timeout,
            "retry_on_timeout": True,
        },
        "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.1,
                                      "interval_max": 0.1},
        "task_default_queue": keys.QUEUE,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        # A task running when the broker connection drops goes on to the end: cancelling it
        # (Celery's advice, against duplicates) throws away a Shopify write in flight, and its
        # retry cannot be published while Redis is down. Its message comes back after the
        # visibility timeout and finds the request done: tasks are idempotent and locked.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "worker_soft_shutdown_timeout": 15,
        "worker_hijack_root_logger": False,
        "task_soft_time_limit": TASK_SOFT_LIMIT,
        "task_time_limit": TASK_HARD_LIMIT,
        "beat_schedule": {
            "reconcile": {"task": keys.RECONCILE, "schedule": settings.reconcile_minutes * 60.0},
            # Legacy apps only (the task skips a Dev Dashboard app's shops): Shopify deletes an
            # API-made subscription after 8 failed deliveries, about 4 hours of downtime.
            **({"register_webhooks": {"task": keys.REGISTER_WEBHOOKS, "schedule": settings.reconcile_minutes * 60.0}}
               if settings.webhook_url else {}),
        },
    }


class ReplacementCelery(Celery):
    """A Celery app that carries the service's settings and its connections (`services`)."""

    def __init__(self, settings: Settings):
        super().__init__("replacement_worker", include=["worker.tasks"])
        self.settings = settings
        self.services = Services(settings)


def create_celery(settings: Settings) -> ReplacementCelery:
    kombu_patch.install()
    app = ReplacementCelery(settings)
    app.conf.update(celery_config(settings))
    return app
