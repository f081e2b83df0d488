"""The store's circuit breaker: REPLACEMENT_MAX_PER_HOUR and REPLACEMENT_MAX_VALUE_PER_DAY,
counted in Redis across every process.

One Lua script admits or refuses a replacement atomically, so a burst from many workers never
lets more through than the caps. The windows slide (the last 60 minutes, the last 24 hours)
rather than being fixed clock hours: a fixed window lets twice its cap through across a
boundary (50 at 10:59, 50 more at 11:00), which is the burst the breaker is there to stop.
A request's answer is remembered, so a task that runs twice is counted once and told the same.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import redis

from core import keys
from core.settings import Settings
from replacements.planner import Plan
from replacements.policy import Facts, Review, review

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# Longer than the value window: a request retried within it is never counted a second time.
DECISION_SECONDS = 2 * 24 * 3600
# Values are counted in thousandths of the shop's currency: exact for currencies of up to 3 decimals.
THOUSANDTHS = Decimal("1000")

# KEYS: the request's decision, the shop's window. ARGV: max per hour, max value per day in
# thousandths (each '' when off), this replacement's value in thousandths, its request id, the
# decision's TTL, now in ms ('' for Redis's own clock, the one every process shares), an hour and
# a day in ms, '1' to look only (a dry run: nothing counted, nothing written).
_ADMIT = """
local look_only = ARGV[9] == '1'
if not look_only then
  local decided = redis.call('get', KEYS[1])
  if decided then return decided end
end
local now = tonumber(ARGV[6])
if not now then
  local time = redis.call('time')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local hour, day = tonumber(ARGV[7]), tonumber(ARGV[8])
local decision = 'admitted'
local max_count = tonumber(ARGV[1])
if max_count then
  local count = redis.call('zcount', KEYS[2], string.format('(%d', now - hour), '+inf')
  if count >= max_count then decision = 'count:' .. count end
end
local max_value = tonumber(ARGV[2])
if decision == 'admitted' and max_value then
  local total = 0
  for _, member in ipairs(redis.call('zrangebyscore', KEYS[2], string.format('(%d', now - day), '+inf')) do
    total = total + tonumber(string.match(member, '^(%d+):'))
  end
  if total + tonumber(ARGV[3]) > max_value then decision = 'value:' .. string.format('%d', total) end
end
if look_only then return decision end
redis.call('zremrangebyscore', KEYS[2], '-inf', string.format('%d', now - day))
if decision == 'admitted' then
  redis.call('zadd', KEYS[2], now, ARGV[3] .. ':' .. ARGV[4])
  redis.call('pexpire', KEYS[2], day)
end
redis.call('set', KEYS[1], decision, 'EX', ARGV[5])
return decision
"""


def enabled(settings: Settings) -> bool:
    return settings.max_per_hour is not None or settings.max_value_per_day is not None


def admit(client: redis.Redis, settings: Settings, shop: str, request_id: str, value: Decimal, currency: str,
          now_ms: int | None = None, look_only: bool = False) -> tuple[str, str] | None:
    """None: admitted (and counted); else (limit, reason): the limit it is beyond and why, in words.
    `look_only`: what it would answer now, counting and remembering nothing (the dry run)."""
    if not enabled(settings):
        return None
    max_value = settings.max_value_per_day
    decision = client.eval(
        _ADMIT, 2, keys.breaker_decision(request_id), keys.breaker_window(shop),
        "" if settings.max_per_hour is None else settings.max_per_hour,
        "" if max_value is None else int(max_value * THOUSANDTHS), int(value * THOUSANDTHS), request_id,
        DECISION_SECONDS, "" if now_ms is None else now_ms, HOUR_MS, DAY_MS,
        "1" if look_only else "0").decode()
    if decision == "admitted":
        return None
    limit, counted = decision.split(":")
    if limit == "count":
        return "max_per_hour", (f"circuit breaker: {counted} replacements in the last hour; "
                                f"REPLACEMENT_MAX_PER_HOUR is {settings.max_per_hour}")
    total = (Decimal(counted) / THOUSANDTHS).quantize(Decimal("0.01"))
    return "max_value_per_day", (f"circuit breaker: replacements worth {total} {currency} in the last 24 hours "
                                 f"and this one's {value} would pass REPLACEMENT_MAX_VALUE_PER_DAY {max_value}")


def reviewed(client: redis.Redis, settings: Settings, shop: str, request_id: str, plan: Plan, now: datetime,
             facts: Facts, look_only: bool = False) -> tuple[Review, str | None]:
    """The policy's verdict with the circuit breaker's answer among its facts, and the limit the
    breaker held it for (None: not held by it). Only a replacement the policy would complete is
    counted: one it holds anyway costs the store nothing."""
    verdict = review(settings, plan, now, facts)
    if verdict.hold:
        return verdict, None
    refused = admit(client, settings, shop, request_id, plan.retail_value, plan.currency, look_only=look_only)
    if not refused:
        return verdict, None
    limit, reason = refused
    return review(settings, plan, now, replace(facts, store_limit=reason)), limit
