"""Many tagged orders through the whole service, as when a merchant tags hundreds at once.

One stack per benchmark: a private redis-server, the sandbox store (`python -m sandbox`) with a
plan's bucket sending its webhooks to gunicorn, and `celery worker` processes. A run tags the
orders in the sandbox, which fires Shopify's `orders/updated` webhooks at the web tier, and
lasts until every request is done or failed. The sandbox's call log says what each call
was charged and whether it was THROTTLED.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from devtools.processes import Gunicorn, RedisServer, SandboxProcess, Workers, service_env, stop_all

STEADY_FROM = 0.2  # the first fifth of the replacements may still spend the full bucket
POLL_SECONDS = 0.5
STOCK = 1_000_000


@dataclass
class Run:
    orders: int
    worker_processes: int
    done: int
    failed: int
    elapsed: float
    steady_rate: float
    points: float
    throttled: int
    calls: int
    min_available: float
    restore_rate: float
    bucket_size: float
    by_operation: dict[str, tuple[int, float]]  # operation -> (calls, points charged)

    @property
    def points_per_replacement(self) -> float:
        return self.points / max(1, self.done)

    @property
    def ceiling(self) -> float:
        """Replacements per second the budget allows once the bucket is empty."""
        return self.restore_rate / self.points_per_replacement

    @property
    def budget_minimum(self) -> float:
        """Seconds the budget needs at least: all points, less a full bucket at the start."""
        return max(0.0, self.points - self.bucket_size) / self.restore_rate


class Stack:
    def __init__(self, plan: str = "standard"):
        self.redis = RedisServer().start()
        self.web = Gunicorn("web.wsgi:app")
        self.sandbox = SandboxProcess(plan, webhook_url=f"{self.web.url}/webhooks/shopify").start()
        self.env = service_env(self.redis.url, self.sandbox.url)
        self.web.env = self.env
        self.web.start()

    def close(self) -> None:
        stop_all(self.web, self.sandbox, self.redis)

    def run(self, orders: int, worker_processes: int, timeout: float) -> Run:
        self.sandbox.control("POST", "reset")
        self.redis.client().flushdb()
        bucket = self.sandbox.control("GET", "config")["bucket"]
        for row in self.sandbox.control("GET", "state")["inventory"]:  # stock for every replacement
            self.sandbox.control("POST", "inventory", {"variant_id": row["variant_id"], "available": STOCK})
        created = self.sandbox.control("POST", "orders", {"count": orders})["orders"]
        workers = [Workers(self.env, concurrency=1, name=f"bench{n}").start() for n in range(worker_processes)]
        try:
            self.sandbox.control("DELETE", "calls")
            started = time.time()
            for order in created:
                self.sandbox.control("POST", f"orders/{order['id']}/tags", {"add": ["needs-replacement"]})
            finished = self._wait(created, started + timeout)
        finally:
            stop_all(*workers)
        calls = self.sandbox.control("GET", "calls")["calls"]
        return _summary(orders, worker_processes, started, finished, calls, bucket)

    def _wait(self, created: list[dict], deadline: float) -> dict[str, tuple[str, float]]:
        """Request id -> (final status, finished at), once every order's request has ended."""
        client = self.redis.client()
        keys = [f"rw:req:admin-{order['id']}-1" for order in created]
        while True:
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.hmget(key, "status", "finished_at")
            ended = {key: (status.decode(), float(at)) for key, (status, at) in zip(keys, pipe.execute(), strict=True)
                     if status in (b"done", b"failed") and at}
            if len(ended) == len(keys) or time.time() > deadline:
                return ended
            time.sleep(POLL_SECONDS)


def _summary(orders: int, worker_processes: int, started: float, ended: dict, calls: list[dict],
             bucket: dict) -> Run:
    finish_times = sorted(at for _, at in ended.values())
    done = sum(1 for status, _ in ended.values() if status == "done")
    steady_rate = 0.0
    if len(finish_times) >= 10:
        first = int(len(finish_times) * STEADY_FROM)
        span = finish_times[-1] - finish_times[first]
        steady_rate = (len(finish_times) - 1 - first) / span if span > 0 else 0.0
    available = [c["available_before"] for c in calls if c.get("available_before") is not None]
    return Run(
        orders=orders, worker_processes=worker_processes, done=done, failed=orders - done,
        elapsed=(finish_times[-1] - started) if finish_times else float("nan"), steady_rate=steady_rate,
        points=sum(c.get("charged") or 0 for c in calls), throttled=sum(1 for c in calls if c.get("throttled")),
        calls=len(calls), min_available=min(available, default=float("nan")),
        restore_rate=float(bucket["restoreRate"]), bucket_size=float(bucket["maximumAvailable"]),
        by_operation=by_operation(calls),
    )


def by_operation(calls: list[dict]) -> dict[str, tuple[int, float]]:
    found: dict[str, tuple[int, float]] = {}
    for call in calls:
        count, points = found.get(call.get("operation") or "?", (0, 0.0))
        found[call.get("operation") or "?"] = (count + 1, points + (call.get("charged") or 0))
    return found
