"""Benchmark: what the service keeps in Redis, per delivery and per replacement, and the steady
state at a stated rate and retention (every key has a TTL or lives in a capped structure).

    .venv/bin/python -m bench.redis_memory                       # 200 replacements, 1,000 deliveries
    .venv/bin/python -m bench.redis_memory --rate 1000000 --relevant 0.01 --retention-days 90

Real components: a private redis-server, the sandbox store, the web app and `celery worker`
processes. Bytes are Redis' own `MEMORY USAGE` of each key the service wrote, grouped by kind.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections import Counter

import redis
import requests

from core import keys
from core.metrics import queue_depth
from core.store import JOURNAL_MAX
from devtools.processes import RedisServer, SandboxProcess, Workers, service_env, stop_all, wait_until
from devtools.webhook_payloads import shopify_headers, tagged_order
from replacements.configuration import load_settings
from web import create_app

KINDS = (("delivery marks", keys.SEEN), ("requests", keys.request("")), ("order generations", f"{keys.PREFIX}order:"),
         ("journal", keys.JOURNAL), ("batches", keys.batch("")), ("locks", keys.lock("")))


def usage(client: redis.Redis) -> Counter:
    """Bytes by kind of key, and how many keys of each kind; keys without a TTL are counted apart."""
    found: Counter = Counter()
    for raw in client.scan_iter(f"{keys.PREFIX}*", count=1000):
        key = raw.decode()
        kind = next((name for name, prefix in KINDS if key.startswith(prefix)), "other")
        found[kind] += client.memory_usage(key, samples=0) or 0
        found[f"{kind} keys"] += 1
        if client.ttl(key) == -1 and kind not in ("journal",):
            found[f"{kind} without TTL"] += 1
    found["journal entries"] = client.xlen(keys.JOURNAL)
    return found


def deliver(web, count: int, tagged: bool) -> None:
    for n in range(count):
        order = tagged_order("needs-replacement") if tagged else tagged_order()
        order["id"] = 9_000_000 + n if tagged else order["id"]
        order["admin_graphql_api_id"] = f"gid://shopify/Order/{order['id']}"
        order["updated_at"] = f"2026-12-04T10:{n // 60 % 60:02d}:{n % 60:02d}Z"
        body = json.dumps(order).encode()
        answer = web.post("/webhooks/shopify", data=body, headers=shopify_headers(
            body, webhook_id=str(uuid.uuid4()), event_id=str(uuid.uuid4())))
        assert answer.status_code == 200, answer.get_data(as_text=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.redis_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replacements", type=int, default=200)
    parser.add_argument("--irrelevant", type=int, default=1000, help="deliveries without the trigger tag")
    parser.add_argument("--rate", type=int, default=1_000_000, help="deliveries a day, for the steady state")
    parser.add_argument("--relevant", type=float, default=0.01, help="the share of deliveries that ask for one")
    parser.add_argument("--retention-days", type=int, default=90)
    args = parser.parse_args(argv)

    server = RedisServer().start()
    shop = SandboxProcess().start()
    env = service_env(server.url, shop.url)
    workers = None
    try:
        client = server.client()
        web = create_app(load_settings(env)).test_client()
        workers = Workers(env, concurrency=2).start()
        shop.control("POST", "inventory", {"variant_id": 49148385, "available": 100_000})
        ids = [o["id"] for o in shop.control("POST", "orders", {"count": args.replacements})["orders"]]

        before = usage(client)
        deliver(web, args.irrelevant, tagged=False)
        irrelevant = usage(client)
        for order_id in ids:
            requests.post(f"{shop.url}/_sandbox/orders/{order_id}/tags", json={"add": ["needs-replacement"]},
                          timeout=5).raise_for_status()
            order = requests.get(f"{shop.url}/_sandbox/orders/{order_id}/rest", timeout=5).json()
            body = json.dumps(order).encode()
            web.post("/webhooks/shopify", data=body, headers=shopify_headers(
                body, webhook_id=str(uuid.uuid4()), event_id=str(uuid.uuid4())))
        wait_until(lambda: not client.scard(keys.OPEN_REQUESTS) and queue_depth(client) == 0
                   and len(list(client.scan_iter(keys.request("*"), count=1000))) >= args.replacements,
                   60 + args.replacements, message="every replacement to finish")
        after = usage(client)
    finally:
        stop_all(workers, shop, server)

    def total(found: Counter) -> int:
        return sum(v for k, v in found.items() if not k.endswith(("keys", "TTL", "entries")))

    per_irrelevant = (total(irrelevant) - total(before)) / args.irrelevant
    per_replacement = (total(after) - total(irrelevant)) / args.replacements
    journal_per_replacement = (after["journal"] - irrelevant["journal"]) / args.replacements
    print(f"redis memory: {args.irrelevant} irrelevant deliveries, {args.replacements} replacements")
    print(f"  irrelevant delivery: {per_irrelevant:,.0f} bytes (ignored before any write)")
    print(f"  replacement: {per_replacement:,.0f} bytes, of which")
    for kind, _ in KINDS:
        print(f"    {kind:>18}: {(after[kind] - irrelevant[kind]) / args.replacements:,.0f}")
    without_ttl = {k: v for k, v in after.items() if k.endswith("without TTL")}
    print(f"  keys without a TTL (journal aside, capped at {JOURNAL_MAX:,} entries): {without_ttl or 'none'}")

    replacements_a_day = args.rate * args.relevant
    marks = (after["delivery marks"] - irrelevant["delivery marks"]) / args.replacements
    records = per_replacement - marks - journal_per_replacement
    per_entry = after["journal"] / max(1, after["journal entries"])
    steady = (replacements_a_day * 2 * marks  # marks live 48 h
              + replacements_a_day * args.retention_days * records
              + JOURNAL_MAX * per_entry)  # the journal is capped, whatever the retention
    print(f"  steady state at {args.rate:,} deliveries a day, {args.relevant:.0%} asking for a replacement, "
          f"{args.retention_days} days' retention: {steady / 1e6:,.0f} MB (bounded; before: growing without end)")


if __name__ == "__main__":
    main()
