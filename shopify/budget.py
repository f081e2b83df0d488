"""A shop's Admin API budget, shared through Redis by every worker process on every machine.

Shopify meters GraphQL by query cost in a leaky bucket per app and shop: a call is refused
(THROTTLED) unless the bucket holds its *requested* cost; it is charged its *actual* cost.
`SharedBudget` keeps a model of that bucket in one Redis hash and changes it only inside
Lua scripts, so concurrent workers never reserve the same points twice:

- `acquire` reserves the operation's requested cost (learned from earlier answers; a
  conservative estimate until the first answer) and waits while the bucket is short;
- `settle` gives back what the call did not spend (requested - actual) and lowers the model
  to Shopify's own `currentlyAvailable` when that is lower (the first answer sets it), and
  adopts the plan's `maximumAvailable` and `restoreRate`.

The model refills at the restore rate on Redis' clock, so machines need not agree on time.
It only ever errs low: a reservation is taken before Shopify charges and given back after
it refunds. A reservation never settled (a 5xx, a dead process) is given back after
`HOLD_SECONDS`; the next answer corrects the model if Shopify did charge it.

A caller that finds the bucket short for a moment (`IN_TASK_WAIT`) takes the *claim*: later
callers then leave room for it, so a large query is not starved by a stream of small mutations.
A caller that would wait longer is not kept: `acquire` raises BudgetShort with the time of its
slot in the shop's queue (`next_at`, each slot the cost's worth of refill after the one before),
and its task comes back then. A worker process is never held by one shop's empty bucket, so
other shops' work goes on, and the shop's own work arrives as its points do.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable

import redis

from core import keys
from shopify.errors import BudgetShort

# Before the first answer: Shopify's smallest published bucket and restore rate, and the
# single-query maximum as the cost of an operation not seen yet.
FIRST_MAXIMUM = 1000.0
FIRST_RESTORE_RATE = 100.0
UNKNOWN_COST = 1000.0
HOLD_SECONDS = 30.0
IN_TASK_WAIT = 0.5
# Slots are handed out this far ahead at most: a task comes back within the broker's visibility
# timeout (a countdown held longer is delivered twice). Beyond it, a task waits the horizon,
# spread, and asks again.
SLOT_HORIZON = 30.0
# The scripts give each shop's keys a day past their last call: a shop no longer served leaves nothing.
# Refunds arrive within a round trip: while waiting, look again this often at most and least.
RECHECK_SECONDS = (0.005, 0.05)

_REFILL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'max', 'rate', 'claim', 'claim_cost', 'claim_until', 'next_at')
local max = tonumber(b[3]) or tonumber(ARGV[3])
local rate = tonumber(b[4]) or tonumber(ARGV[4])
local tokens = tonumber(b[1]) or max
local at = tonumber(b[2]) or now
tokens = math.min(max, tokens + math.max(0, now - at) * rate)
local claim, claim_cost = b[5], tonumber(b[6]) or 0
if claim and (tonumber(b[7]) or 0) < now then claim = false end
local refunds = 0
local held = redis.call('HGETALL', KEYS[3])
for i = 1, #held, 2 do
  local cost, expires = string.match(held[i + 1], '([^:]+):([^:]+)')
  if tonumber(expires) < now then
    redis.call('HDEL', KEYS[3], held[i])
    refunds = refunds + tonumber(cost)
  end
end
tokens = math.min(max, tokens + refunds)
"""

_ACQUIRE = _REFILL + """
-- ARGV: 1 operation, 2 reservation id, 3 first maximum, 4 first rate, 5 unknown cost, 6 hold seconds,
--       7 longest wait in the task, 8 slot horizon
-- Answers {cost, wait, defer}: wait 0, reserved; defer > 0, come back then (a slot); defer -1,
-- no slot within the horizon; else wait this long and ask again.
local cost = math.min(tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or ARGV[5]), max)
local room = tokens
if claim and claim ~= ARGV[2] then room = tokens - claim_cost end
local wait, defer = 0, 0
if room >= cost then
  tokens = tokens - cost
  redis.call('HSET', KEYS[3], ARGV[2], cost .. ':' .. (now + tonumber(ARGV[6])))
  if claim == ARGV[2] then redis.call('HDEL', KEYS[1], 'claim', 'claim_cost', 'claim_until') end
else
  wait = (cost - room) / rate
  if wait > tonumber(ARGV[7]) and claim ~= ARGV[2] then
    local slot = math.max(now + wait, tonumber(b[8]) or 0)
    if slot - now <= tonumber(ARGV[8]) then
      redis.call('HSET', KEYS[1], 'next_at', slot + cost / rate)
      defer = slot - now
    else
      defer = -1
    end
  elseif not claim or claim == ARGV[2] then
    redis.call('HSET', KEYS[1], 'claim', ARGV[2], 'claim_cost', cost, 'claim_until', now + wait + 1)
  end
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now, 'max', max, 'rate', rate)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], 86400) end
return {tostring(cost), tostring(wait), tostring(defer)}
"""

_SETTLE = _REFILL + """
-- ARGV: 1 operation, 2 reservation id, 3 first maximum, 4 first rate,
--       5 requested, 6 actual, 7 available, 8 maximum, 9 restore rate ('' when not answered)
local entry = redis.call('HGET', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
local reserved = entry and tonumber(string.match(entry, '([^:]+):')) or 0
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[5]) end
if ARGV[7] ~= '' then
  local available = tonumber(ARGV[7])
  tokens = tokens + reserved - (tonumber(ARGV[6]) or 0)
  max = tonumber(ARGV[8]) or max
  rate = tonumber(ARGV[9]) or rate
  if redis.call('HEXISTS', KEYS[1], 'synced') == 0 then
    -- The first answer replaces the guess: Shopify's figure, less what other callers hold.
    tokens = available
    for _, entry in ipairs(redis.call('HVALS', KEYS[3])) do
      tokens = tokens - tonumber(string.match(entry, '([^:]+):'))
    end
    redis.call('HSET', KEYS[1], 'synced', 1)
  end
  tokens = math.min(tokens, available, max)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now, 'max', max, 'rate', rate)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], 86400) end
return tostring(tokens)
"""


_RELEASE = _REFILL + """
-- ARGV: 1 reservation id, 3 first maximum, 4 first rate (as _REFILL reads them)
local entry = redis.call('HGET', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if entry then tokens = math.min(max, tokens + tonumber(string.match(entry, '([^:]+):'))) end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now, 'max', max, 'rate', rate)
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], 86400) end
return tostring(tokens)
"""


class SharedBudget:
    """The `Budget` of shopify/client.py for one shop, shared through Redis."""

    def __init__(self, client: redis.Redis, shop: str, sleep: Callable[[float], None] = time.sleep,
                 defer: bool = True):
        """`defer`: raise BudgetShort rather than wait long (a task; an operator command waits)."""
        self.shop = shop
        self.longest_wait = IN_TASK_WAIT if defer else float("inf")
        bucket = keys.budget(shop)
        self.keys = [bucket, f"{bucket}:cost", f"{bucket}:held"]
        self.sleep = sleep
        self._acquire = client.register_script(_ACQUIRE)
        self._settle = client.register_script(_SETTLE)
        self._release = client.register_script(_RELEASE)
        self._reservation = threading.local()

    def acquire(self, operation: str) -> float:
        """Reserves the operation's requested cost, waiting a moment while the bucket is short;
        returns the cost. Raises BudgetShort when the wait would be longer."""
        reservation = uuid.uuid4().hex
        while True:
            cost, wait, defer = self._acquire(keys=self.keys, args=[
                operation, reservation, FIRST_MAXIMUM, FIRST_RESTORE_RATE, UNKNOWN_COST, HOLD_SECONDS,
                self.longest_wait, SLOT_HORIZON])
            if float(defer):
                retry_in = float(defer) if float(defer) > 0 else SLOT_HORIZON * random.uniform(1, 1.3)
                raise BudgetShort(f"{operation}: {self.shop}'s API budget is short for {float(wait):.1f} s",
                                  shop=self.shop, retry_in=retry_in)
            if float(wait) == 0:
                self._reservation.id = reservation
                return float(cost)
            self.sleep(min(max(float(wait), RECHECK_SECONDS[0]), RECHECK_SECONDS[1]))

    def settle(self, operation: str, cost: dict | None) -> None:
        """Records what the call cost: learns its requested cost and syncs with Shopify's bucket."""
        reservation = getattr(self._reservation, "id", None) or ""
        self._reservation.id = None
        cost = cost or {}
        status = cost.get("throttleStatus") or {}
        self._settle(keys=self.keys, args=[
            operation, reservation, FIRST_MAXIMUM, FIRST_RESTORE_RATE,
            _number(cost.get("requestedQueryCost")), _number(cost.get("actualQueryCost")),
            _number(status.get("currentlyAvailable")), _number(status.get("maximumAvailable")),
            _number(status.get("restoreRate"))])


    def release(self, operation: str) -> None:
        """Gives the reservation back when no answer came (5xx, timeout): the next answer's
        `currentlyAvailable` corrects the model if Shopify did charge it."""
        reservation = getattr(self._reservation, "id", None)
        self._reservation.id = None
        if reservation:
            # _REFILL reads the first maximum and rate from ARGV[3] and ARGV[4].
            self._release(keys=self.keys, args=[reservation, "", FIRST_MAXIMUM, FIRST_RESTORE_RATE])


def _number(value) -> str:
    return "" if value is None else str(float(value))
