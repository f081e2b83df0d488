"""Dedupe then enqueue: mark, publish, and undo the mark if publishing fails, so a 503
leaves no trace and the sender's retry goes through."""

from __future__ import annotations

import logging

import redis
from celery import Celery

from web.errors import QueueUnavailable

log = logging.getLogger(__name__)

# Set every key only if none exists: one delivery may be known under several ids.
_MARK_ALL = """
for i, key in ipairs(KEYS) do
  if redis.call('exists', key) == 1 then return 0 end
end
for i, key in ipairs(KEYS) do redis.call('set', key, '1', 'EX', ARGV[1]) end
return 1
"""


class Intake:
    def __init__(self, client: redis.Redis, celery: Celery, dedupe_seconds: int):
        self.client = client
        self.mark_all = client.register_script(_MARK_ALL)
        self.celery = celery
        self.dedupe_seconds = dedupe_seconds

    def accept(self, dedupe_keys: list[str], task: str, args: list) -> str:
        keys = [f"rw:seen:{key}" for key in dedupe_keys]
        try:
            if keys and not self.mark_all(keys=keys, args=[self.dedupe_seconds]):
                return "duplicate"
        except redis.RedisError as error:
            log.warning("dedupe store unreachable", extra={"error": type(error).__name__})
            raise QueueUnavailable() from error
        try:
            self.celery.send_task(task, args=args)
        except Exception as error:  # kombu raises many kinds; every one means "not queued"
            log.warning("enqueue failed", extra={"task": task, "error": type(error).__name__})
            try:
                if keys:
                    self.client.delete(*keys)
            except redis.RedisError:
                log.warning("could not undo the dedupe mark", extra={"task": task})
            raise QueueUnavailable() from error
        return "queued"

    def ready(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
