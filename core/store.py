"""What the service keeps in Redis: request state, order generations, locks, journal, dead letters.

Redis is the service's memory between processes. Run it with AOF in production: the state
here is what lets a restarted worker resume a request instead of starting it again.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import redis

from core import keys

# "cancelled": a held draft deleted because its original was cancelled.
FINAL = frozenset({"done", "failed", "ignored", "cancelled"})
JOURNAL_MAX = 100_000
DEAD_LETTERS_MAX = 10_000
# How long a request's records live after their last change (RETENTION_DAYS). Far longer than
# any sender retries a delivery (Shopify: 48 h, the dedupe marks' life); past it, Shopify keeps
# the record of what was made (the request id on the replacement).
DEFAULT_RETENTION_SECONDS = 90 * 24 * 3600

_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# A request appears whole or not at all: no reader ever sees it without a status.
_CREATE = """
if redis.call('hsetnx', KEYS[1], 'request', ARGV[1]) == 0 then return 0 end
redis.call('hset', KEYS[1], 'status', 'received', 'created_at', ARGV[2], 'updated_at', ARGV[2])
redis.call('expire', KEYS[1], ARGV[4])
redis.call('sadd', KEYS[2], ARGV[3])
redis.call('expire', KEYS[2], ARGV[4])
return 1
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class LockBusy(Exception):
    """Another process holds the lock; try again in `retry_in` seconds."""

    def __init__(self, key: str, retry_in: float = 1.0):
        super().__init__(key)
        self.retry_in = retry_in


class Lock:
    """A lease in Redis, renewed by a heartbeat thread while its holder lives.

    A holder killed with SIGKILL stops renewing, so the lease ends `ttl_seconds` later and a
    redelivered task can resume; a live holder keeps it however long Shopify takes to answer.
    """

    def __init__(self, client: redis.Redis, name: str, ttl_seconds: float):
        self.client = client
        self.key = keys.lock(name)
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token = uuid.uuid4().hex
        self.lost = threading.Event()
        self.released = threading.Event()

    def __enter__(self) -> Lock:
        if not self.client.set(self.key, self.token, nx=True, px=self.ttl_ms):
            remaining_ms = self.client.pttl(self.key)
            raise LockBusy(self.key, retry_in=max(0.2, remaining_ms / 1000 if remaining_ms > 0 else 0.2))
        threading.Thread(target=self._heartbeat, daemon=True).start()
        return self

    def _heartbeat(self) -> None:
        while not self.released.wait(self.ttl_ms / 3000):
            try:
                if not self.client.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms):
                    self.lost.set()
                    return
            except redis.RedisError:
                continue

    def extend(self) -> None:
        """Called before each write to Shopify: a lease that was lost aborts the task."""
        if self.lost.is_set() or not self.client.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms):
            raise LockBusy(f"{self.key} was lost")

    def __exit__(self, *exc) -> None:
        self.released.set()
        self.client.eval(_RELEASE, 1, self.key, self.token)


class State:
    def __init__(self, client: redis.Redis, clock=time.time, retention_seconds: int = DEFAULT_RETENTION_SECONDS):
        self.client = client
        self.clock = clock
        self.retention = retention_seconds

    # requests -----------------------------------------------------------------------------
    def create_request(self, request: dict) -> bool:
        """Records a new request; False when it already exists (a duplicate)."""
        names = [keys.request(request["request_id"]), keys.OPEN_REQUESTS]
        return bool(self.client.eval(_CREATE, 2, *names, json.dumps(request), self.clock(), request["request_id"],
                                     self.retention))

    def get(self, request_id: str) -> dict | None:
        raw = self.client.hgetall(keys.request(request_id))
        if not raw:
            return None
        record = {k.decode(): v.decode() for k, v in raw.items()}
        record["request"] = json.loads(record["request"])
        return record

    def update(self, request_id: str, **fields) -> None:
        fields["updated_at"] = self.clock()
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(keys.request(request_id), mapping={k: str(v) for k, v in fields.items()})
        pipe.expire(keys.request(request_id), self.retention)
        if fields.get("status") in FINAL:
            pipe.srem(keys.OPEN_REQUESTS, request_id)
        pipe.execute()

    def open_requests(self) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(keys.OPEN_REQUESTS))

    def delete_request(self, request_id: str) -> None:
        self.client.delete(keys.request(request_id))
        self.client.srem(keys.OPEN_REQUESTS, request_id)

    def create_batch(self, batch_id: str, request_ids: list[str]) -> None:
        """An API batch: the ids of its requests, in the order given (set once)."""
        self.client.set(keys.batch(batch_id), json.dumps(request_ids), nx=True, ex=self.retention)

    def batch(self, batch_id: str) -> list[str] | None:
        raw = self.client.get(keys.batch(batch_id))
        return json.loads(raw) if raw else None

    # admin-tag generations: re-adding the tag after a replacement asks for a new one --------
    def current_for_order(self, shop: str, order_id: str) -> tuple[str | None, int, tuple[str, float] | None]:
        """The order's latest admin-tag request, its generation, and our last release of the
        order: Shopify's updatedAt of that write and our clock's time of it."""
        current, generation, released, released_wall = self.client.hmget(
            keys.order(shop, order_id), "current", "generation", "released_at", "released_wall")
        release = (released.decode(), float(released_wall or 0)) if released else None
        return (current.decode() if current else None), int(generation or 0), release

    def release_order(self, shop: str, order_id: str, updated_at: str) -> None:
        self._set_order(shop, order_id, {"released_at": updated_at, "released_wall": self.clock()})

    def start_generation(self, shop: str, order_id: str, request_id: str, generation: int) -> None:
        self._set_order(shop, order_id, {"current": request_id, "generation": generation})

    def _set_order(self, shop: str, order_id: str, fields: dict) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(keys.order(shop, order_id), mapping=fields)
        pipe.expire(keys.order(shop, order_id), self.retention)
        pipe.execute()

    # locks, dedupe, journal, dead letters --------------------------------------------------
    def lock(self, name: str, ttl_seconds: float = 10.0) -> Lock:
        return Lock(self.client, name, ttl_seconds)

    def journal(self, request_id: str, event: str, **detail) -> None:
        entry = {"at": f"{self.clock():.3f}", "request_id": request_id, "event": event,
                 "detail": json.dumps(detail, default=str)}
        self.client.xadd(keys.JOURNAL, entry, maxlen=JOURNAL_MAX, approximate=True)

    def journal_entries(self, request_id: str | None = None, count: int = 1000) -> list[dict]:
        rows = self.client.xrevrange(keys.JOURNAL, count=count)
        entries = []
        for _, fields in reversed(rows):
            entry = {k.decode(): v.decode() for k, v in fields.items()}
            entry["detail"] = json.loads(entry["detail"])
            if request_id is None or entry["request_id"] == request_id:
                entries.append(entry)
        return entries

    def dead_letter(self, task: str, args: list, error: str) -> None:
        item = {"task": task, "args": args, "error": error, "at": self.clock()}
        pipe = self.client.pipeline(transaction=False)
        pipe.rpush(keys.DEAD_LETTERS, json.dumps(item, default=str))
        pipe.ltrim(keys.DEAD_LETTERS, -DEAD_LETTERS_MAX, -1)
        pipe.execute()

    def dead_letters(self) -> list[dict]:
        return [json.loads(x) for x in self.client.lrange(keys.DEAD_LETTERS, 0, -1)]

    def remove_dead_letter(self, item: dict) -> None:
        self.client.lrem(keys.DEAD_LETTERS, 1, json.dumps(item, default=str))

