"""Dedupe and enqueue in one Lua script, one round trip: the delivery's marks are set and its
task pushed together or not at all, so a 503 leaves no trace and the sender's retry goes through,
and a lost answer is harmless (the retry finds the marks and answers `duplicate`)."""

from __future__ import annotations

import logging
import os

import redis

from core import keys
from web.errors import QueueUnavailable
from web.task_message import task_message

log = logging.getLogger(__name__)

# KEYS[1] the queue, KEYS[2..] the delivery's marks (one delivery may be known under several
# ids); ARGV[1] how long marks live, ARGV[2] the task message. 1 queued, 0 duplicate.
_MARK_AND_PUSH = """
for i = 2, #KEYS do
  if redis.call('exists', KEYS[i]) == 1 then return 0 end
end
for i = 2, #KEYS do redis.call('set', KEYS[i], '1', 'EX', ARGV[1]) end
redis.call('lpush', KEYS[1], ARGV[2])
return 1
"""


class Intake:
    def __init__(self, client: redis.Redis, queue: str, dedupe_seconds: int):
        self.client = client
        self.mark_and_push = client.register_script(_MARK_AND_PUSH)
        self.queue = queue
        self.dedupe_seconds = dedupe_seconds
        self._own: redis.Redis | None = None
        self._own_pid = 0

    def _own_connection(self) -> redis.Redis:
        """A client that keeps one connection of the pool for this process: no pool get and
        release per delivery (20 µs of 300). Made where it is used, as gunicorn forks."""
        if self._own is None or self._own_pid != os.getpid():
            self._own = redis.Redis(connection_pool=self.client.connection_pool, single_connection_client=True)
            self._own_pid = os.getpid()
        return self._own

    def accept(self, dedupe_keys: list[str], task: str, args: list) -> str:
        names = [self.queue] + [keys.seen(key) for key in dedupe_keys]
        message = task_message(task, args, self.queue)
        try:
            queued = self.mark_and_push(keys=names, args=[self.dedupe_seconds, message], client=self._own_connection())
        except redis.RedisError as error:
            log.warning("queue unreachable", extra={"task": task, "error": type(error).__name__})
            raise QueueUnavailable() from error
        return "queued" if queued else "duplicate"

    def ready(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
