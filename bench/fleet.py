"""Benchmark: one fleet, two shops. Shop A gets an incident (hundreds of tagged orders at once);
shop B tags one order every 10 s meanwhile. Each shop has its own Standard-plan bucket.

    .venv/bin/python -m bench.fleet                     # 500 orders for A, 2 worker processes
    .venv/bin/python -m bench.fleet --orders 200 --workers 2 --concurrency 2

Reports shop B's time from webhook to completed replacement (p50, p95, max), against B's own
time with no incident measured first in the same run, and shop A's rate against the ceiling its
budget allows (restore rate / points per replacement). Real processes: a private redis-server,
two sandbox stores, gunicorn and `celery worker`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid

import redis
import requests

from bench.table import machine, table
from devtools.processes import TOKEN, Gunicorn, RedisServer, SandboxProcess, Workers, stop_all, wait_until
from devtools.webhook_payloads import shopify_headers

SHOP_A, SHOP_B = "shop-a.myshopify.com", "shop-b.myshopify.com"
SECRETS = {SHOP_A: "shpss_bench_a", SHOP_B: "shpss_bench_b"}
B_EVERY_SECONDS = 10.0
STOCK = 1_000_000


class Shop:
    def __init__(self, domain: str, sandbox: SandboxProcess):
        self.domain = domain
        self.sandbox = sandbox

    def stock_up(self) -> None:
        for row in self.sandbox.control("GET", "state")["inventory"]:
            self.sandbox.control("POST", "inventory", {"variant_id": row["variant_id"], "available": STOCK})

    def orders(self, count: int) -> list[int]:
        return [o["id"] for o in self.sandbox.control("POST", "orders", {"count": count})["orders"]]

    def tag_and_deliver(self, web_url: str, order_id: int) -> float:
        """Tags the order as a merchant would and delivers Shopify's webhook; returns when."""
        self.sandbox.control("POST", f"orders/{order_id}/tags", {"add": ["needs-replacement"]})
        body = json.dumps(self.sandbox.control("GET", f"orders/{order_id}/rest")).encode()
        sent = time.time()
        answer = requests.post(f"{web_url}/webhooks/shopify", data=body, timeout=10, headers=shopify_headers(
            body, webhook_id=str(uuid.uuid4()), event_id=str(uuid.uuid4()), shop=self.domain,
            secret=SECRETS[self.domain]))
        assert answer.status_code == 200 and answer.json()["status"] == "queued", answer.text
        return sent

    def points(self) -> float:
        return sum(c.get("charged") or 0 for c in self.sandbox.control("GET", "calls")["calls"])

    def restore_rate(self) -> float:
        return float(self.sandbox.control("GET", "config")["bucket"]["restoreRate"])


def all_finished(client: redis.Redis, order_ids: list[int]) -> bool:
    pipe = client.pipeline(transaction=False)
    for order_id in order_ids:
        pipe.hget(f"rw:req:admin-{order_id}-1", "status")
    return all(status in (b"done", b"failed") for status in pipe.execute())


def finished_at(client: redis.Redis, order_id: int) -> float | None:
    status, at = client.hmget(f"rw:req:admin-{order_id}-1", "status", "finished_at")
    if status == b"failed":
        raise AssertionError(f"order {order_id} failed: {client.hget(f'rw:req:admin-{order_id}-1', 'reason')}")
    return float(at) if status == b"done" and at else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="shop A's incident")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes in each")
    args = parser.parse_args(argv)

    server = RedisServer().start()
    sandboxes = [SandboxProcess("standard").start() for _ in range(2)]
    shop_a, shop_b = Shop(SHOP_A, sandboxes[0]), Shop(SHOP_B, sandboxes[1])
    shops_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump([{"shop": shop.domain, "access_token": TOKEN, "webhook_secret": SECRETS[shop.domain],
                "admin_url": shop.sandbox.url} for shop in (shop_a, shop_b)], shops_file)
    shops_file.close()
    env = {"SHOPS_FILE": shops_file.name, "REDIS_URL": server.url, "LOG_LEVEL": "WARNING"}
    web = Gunicorn("web.wsgi:app", env)
    workers = []
    try:
        web.start()
        workers = [Workers(env, concurrency=args.concurrency, name=f"fleet{n}").start() for n in range(args.workers)]
        client = server.client()
        for shop in (shop_a, shop_b):
            shop.stock_up()
        a_orders = shop_a.orders(args.orders)
        # Both stores number their orders alike, and the admin tag's request id names the order
        # only (Shopify's ids are unique across shops): B's orders start past A's.
        shop_b.orders(args.orders)
        b_orders = shop_b.orders(4 + int(args.orders / 1.5 / B_EVERY_SECONDS) + 10)
        assert not set(a_orders) & set(b_orders)
        print(f"fleet: shop A {args.orders} orders at once, shop B one every {B_EVERY_SECONDS:g} s; "
              f"{args.workers} worker processes x {args.concurrency}; on {machine()}", flush=True)

        quiet = []
        for order_id in b_orders[:3]:  # B alone: the baseline
            sent = shop_b.tag_and_deliver(web.url, order_id)
            quiet.append(wait_until(lambda o=order_id: finished_at(client, o), 30) - sent)
        points_before = shop_a.points()

        incident_started = time.time()
        threading.Thread(target=lambda: [shop_a.tag_and_deliver(web.url, o) for o in a_orders], daemon=True).start()
        b_sent: dict[int, float] = {}
        remaining = iter(b_orders[3:])
        while not all_finished(client, a_orders):
            order_id = next(remaining)
            b_sent[order_id] = shop_b.tag_and_deliver(web.url, order_id)
            deadline = time.time() + B_EVERY_SECONDS
            while time.time() < deadline and not all_finished(client, a_orders):
                time.sleep(0.5)
        a_done = sorted(finished_at(client, o) for o in a_orders)
        b_latency = sorted(wait_until(lambda o=o: finished_at(client, o), 60) - sent for o, sent in b_sent.items())
        b_picked = sorted(float(client.hget(f"rw:req:admin-{o}-1", "created_at")) - sent for o, sent in b_sent.items())
        a_points = shop_a.points() - points_before
        restore = shop_a.restore_rate()
    finally:
        stop_all(*workers, web, *sandboxes, server)

    first = len(a_done) // 5  # the first fifth may still spend A's full bucket
    a_rate = (len(a_done) - 1 - first) / (a_done[-1] - a_done[first])
    points_per = a_points / len(a_done)
    ceiling = restore / points_per

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    print(table(["", "p50 s", "p95 s", "max s", "n"], [
        ["shop B, no incident", statistics.median(quiet), p(sorted(quiet), 0.95), max(quiet), len(quiet)],
        ["shop B, during A's incident", statistics.median(b_latency), p(b_latency, 0.95), max(b_latency),
         len(b_latency)],
        ["  of which before a worker took it", statistics.median(b_picked), p(b_picked, 0.95), max(b_picked),
         len(b_picked)],
    ]))
    print(table(["shop A", "orders", "elapsed s", "points/repl", "ceiling/s", "steady/s", "of ceiling"], [
        ["incident", len(a_done), a_done[-1] - incident_started, points_per, ceiling, a_rate, a_rate / ceiling],
    ]))


if __name__ == "__main__":
    main()
