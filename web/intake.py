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

# A shop may queue this many tasks a minute ahead of every other shop's; the rest of a burst (a
# carrier incident tagged in bulk, a 1,000-order API call) waits in the queue's low-priority
# list, so one shop's backlog never stands between another shop and its next replacement.
BURST_ALLOWANCE = 10
BURST_WINDOW_SECONDS = 60

# KEYS[1] the queue, KEYS[2] its low-priority list, KEYS[3] the shop's burst count, KEYS[4..] the
# delivery's marks (one delivery may be known under several ids); ARGV[1] how long marks live,
# ARGV[2] the task message, ARGV[3] the burst allowance (0: none), ARGV[4] its window.
# 1 queued, 0 duplicate.
_MARK_AND_PUSH = """
for i = 4, #KEYS do
  if redis.call('exists', KEYS[i]) == 1 then return 0 end
end
for i = 4, #KEYS do redis.call('set', KEYS[i], '1', 'EX', ARGV[1]) end
local queue = KEYS[1]
if tonumber(ARGV[3]) > 0 then
  local count = redis.call('incr', KEYS[3])
  if count == 1 then redis.call('expire', KEYS[3], ARGV[4]) end
  if count > tonumber(ARGV[3]) then queue = KEYS[2] end
end
redis.call('lpush', queue, ARGV[2])
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
        self.low_priority_queue = keys.priority_list(queue, keys.LOW_PRIORITY)
        self.dedupe_seconds = dedupe_seconds

    def accept(self, dedupe_keys: list[str], task: str, args: list, shop: str | None = None) -> str:
        """Queues the task unless a mark says it was; a `shop`'s tasks past its burst allowance
        wait behind other shops' (no shop: never, as a dry run someone waits for)."""
        names = [self.queue, self.low_priority_queue, keys.burst(shop or "")] + [keys.seen(k) for k in dedupe_keys]
        message = task_message(task, args, self.queue)
        allowance = BURST_ALLOWANCE if shop else 0
        try:
            queued = self.mark_and_push(keys=names, args=[self.dedupe_seconds, message, allowance,
                                                          BURST_WINDOW_SECONDS])
        except redis.RedisError as error:
            log.warning("queue unreachable", extra={"task": task, "error": type(error).__name__})
            raise QueueUnavailable() from error
        return "queued" if queued else "duplicate"

    def ready(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False
