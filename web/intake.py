"""Dedupe and enqueue in one Lua script, one round trip: the delivery's marks are set and its
task pushed together or not at all, so a 503 leaves no trace and the sender's retry goes through,
and a lost answer is harmless (the retry finds the marks and answers `duplicate`)."""

from __future__ import annotations

import logging

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
    """`client` is shared by every request of the process: under gunicorn's gevent worker, by
    hundreds of greenlets at once, so each call takes a connection of its bounded pool and gives
    it back. One connection kept for the process (the sync workers' saving of 20 µs a delivery)
    would queue every greenlet behind its lock: with Redis silent, the hundredth delivery waited
    for the 99 before it to time out (tests/integration/test_slow_clients.py)."""

    def __init__(self, client: redis.Redis, queue: str, dedupe_seconds: int):
        self.client = client
        self.mark_and_push = client.register_script(_MARK_AND_PUSH)
        self.queue = queue
        self.dedupe_seconds = dedupe_seconds

    def accept(self, dedupe_keys: list[str], task: str, args: list) -> str:
        names = [self.queue] + [keys.seen(key) for key in dedupe_keys]
        message = task_message(task, args, self.queue)
        try:
            queued = self.mark_and_push(keys=names, args=[self.dedupe_seconds, message])
        except redis.RedisError as error:
            log.warning("queue unreachable", extra={"task": task, "error": type(error).__name__})
            raise QueueUnavailable() from error
        return "queued" if queued else "duplicate"

    def ready(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
