"""The Celery application: `celery -A worker.celery_app worker|beat`.

Settings come from the environment once; a bad one stops start-up with one line.
"""

from __future__ import annotations

import sys

from celery import Celery

import worker.kombu_patch  # noqa: F401  (see its docstring)
from core.logs import configure_logging
from core.settings import ConfigError, Settings
from devtools.embedded_redis import ensure_embedded_redis
from worker.celery_app_config import celery_config


def _load() -> Settings:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        sys.exit(f"configuration error: {error}")
    return settings.with_overrides(redis_url=settings.redis_url or ensure_embedded_redis())


settings = _load()
configure_logging(settings.log_level)
app = Celery("replacement_worker", include=["worker.tasks"])
app.conf.update(celery_config(settings))
