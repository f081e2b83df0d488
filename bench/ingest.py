"""Benchmark 1: ingest. `POST /webhooks/shopify` under gunicorn for a relevant signed webhook
(verify, dedupe, validate, enqueue) and an irrelevant one (no trigger tag), each against a bare
Flask endpoint that answers 200 to the same body, measured in the same run with the same
gunicorn settings and the same load generator (wrk); then p99 latency at a fixed rate.

Two bodies: Shopify's full sample order (19 kB, what a subscription made by hand sends), and
the same order cut to the fields `python -m ops.webhooks` subscribes with
(`includeFields`, about 200 bytes): what Shopify sends a service set up as the README says.
A second baseline, `floor`, reads the body and LPUSHes it to Redis with redis-py: the least a
relevant delivery must do, so that what is left between it and `relevant` is the service's own.

    .venv/bin/python -m bench.ingest          # 3 rounds of 5 s per endpoint, then 10 s at 300 req/s
"""

from __future__ import annotations

import argparse
import json
import statistics

import requests

from bench import wrk
from bench.table import machine, table
from devtools.processes import Gunicorn, RedisServer, service_env, stop_all
from devtools.webhook_payloads import shopify_headers, tagged_order
from replacements.subscriptions import ORDER_FIELDS

TARGETS = {"bare": None, "floor": None, "relevant": 0.45, "irrelevant": 0.85}
BODIES = ("subscribed", "full")
P99_TARGET_MS = 50.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per endpoint, interleaved")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second of the latency run")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers (the Procfile's default)")
    args = parser.parse_args(argv)
    wrk.ensure_wrk()
    print(f"ingest: gunicorn --workers {args.web_workers} (sync), wrk -t1 -c{args.connections}, on {machine()}",
          flush=True)

    redis = RedisServer().start()
    redis.client().config_set("appendfsync", "everysec")  # as the README asks of production
    env = service_env(redis.url, "http://127.0.0.1:9")  # the web tier never calls Shopify
    servers = {"service": Gunicorn("web.wsgi:app", env, args.web_workers),
               "bare": Gunicorn("bench.bare_app:app", env, args.web_workers)}
    try:
        for server in servers.values():
            server.start()
        scenarios = _scenarios(servers)
        throughput = {name: [] for name in scenarios}
        for _ in range(args.rounds):
            for name, (url, body, headers) in scenarios.items():
                throughput[name].append(wrk.run(url, body, headers, args.seconds, args.connections))
        paced = {name: wrk.run(url, body, headers, 2 * args.seconds, 16, rate=args.rate)
                 for name, (url, body, headers) in scenarios.items()}
        queued = redis.client().llen("celery")
    finally:
        stop_all(*servers.values(), redis)

    rows = []
    for (body, name), loads in throughput.items():
        bare = statistics.median(load.requests_per_second for load in throughput[(body, "bare")])
        median = statistics.median(load.requests_per_second for load in loads)
        target = TARGETS[name]
        rows.append([body, name, median, median / bare, "" if target is None else f">= {target}",
                     statistics.median(load.p50_ms for load in loads), statistics.median(load.p99_ms for load in loads),
                     paced[(body, name)].requests_per_second, paced[(body, name)].p99_ms,
                     sum(load.errors for load in loads) + paced[(body, name)].errors])
    print(table(["body", "endpoint", "req/s", "of bare", "target", "p50 ms", "p99 ms", f"at {args.rate:g}/s: req/s",
                 "p99 ms", "errors"], rows))
    print(f"p99 target at {args.rate:g} req/s: < {P99_TARGET_MS:g} ms; tasks enqueued by relevant deliveries: {queued}")
    for shape in BODIES:
        relevant, floor = (statistics.median(load.requests_per_second for load in throughput[(shape, name)])
                           for name in ("relevant", "floor"))
        print(f"{shape}: relevant is {relevant / floor:.2f} of the floor (bare + one LPUSH)")


def _scenarios(servers: dict) -> dict[tuple[str, str], tuple[str, bytes, dict]]:
    expected = {"bare": "ok", "floor": "ok", "relevant": "queued", "irrelevant": "ignored"}
    scenarios = {}
    for shape in BODIES:
        relevant, irrelevant = _body(shape, tagged_order("needs-replacement")), _body(shape, tagged_order())
        scenarios[(shape, "bare")] = (f"{servers['bare'].url}/webhooks/shopify", relevant, _headers(relevant))
        scenarios[(shape, "floor")] = (f"{servers['bare'].url}/floor", relevant, _headers(relevant))
        scenarios[(shape, "relevant")] = (f"{servers['service'].url}/webhooks/shopify", relevant, _headers(relevant))
        scenarios[(shape, "irrelevant")] = (f"{servers['service'].url}/webhooks/shopify", irrelevant,
                                            _headers(irrelevant))
    for (shape, name), (url, body, headers) in scenarios.items():
        check = f"check-{shape}-{name}"
        answer = requests.post(url, data=body, headers={**headers, "X-Shopify-Webhook-Id": check,
                                                        "X-Shopify-Event-Id": check}, timeout=5)
        if answer.status_code != 200 or answer.json().get("status") != expected[name]:
            raise SystemExit(f"bench: {shape} {name} answered {answer.status_code} {answer.text[:200]}")
    return scenarios


def _body(shape: str, order: dict) -> bytes:
    if shape == "subscribed":
        order = {field: order[field] for field in ORDER_FIELDS}
    return json.dumps(order).encode()


def _headers(body: bytes) -> dict:
    headers = shopify_headers(body)
    for per_request in ("X-Shopify-Webhook-Id", "X-Shopify-Event-Id"):
        headers.pop(per_request, None)
    return headers


if __name__ == "__main__":
    main()
