"""Benchmark 1: ingest. `POST /webhooks/shopify` under gunicorn for a relevant signed webhook
(verify, dedupe, validate, enqueue) and an irrelevant one (no trigger tag), each against a bare
Flask endpoint that answers 200 to the same body, measured in the same run with the same
gunicorn settings (the Procfile's: deploy/gunicorn.conf.py, gevent workers) and the same load
generator (wrk); then p99 latency at a fixed rate.

Every request is a new body (its order id and updated_at numbered, signed again by wrk): the
service dedupes on the body's SHA-256 as well as on the unsigned delivery ids, so one body sent
again would measure the duplicate path. The run checks that every relevant delivery was queued.

Two bodies: Shopify's full sample order (19 kB, what a subscription made by hand sends), and
the same order cut to the fields `python -m ops.webhooks` subscribes with
(`includeFields`, about 200 bytes): what Shopify sends a service set up as the README says.
A second baseline, `floor`, reads the body and LPUSHes it to Redis with redis-py: the least a
relevant delivery must do, so that what is left between it and `relevant` is the service's own.

    .venv/bin/python -m bench.ingest          # 3 rounds of 5 s per endpoint, then 10 s at 300 req/s
    .venv/bin/python -m bench.ingest --worker-class sync   # gunicorn's sync workers, as before gevent
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import requests

from bench import wrk
from bench.table import machine, table
from core.metrics import queue_depth
from devtools.processes import Gunicorn, RedisServer, service_env, stop_all
from devtools.webhook_payloads import SECRET, numbered_body, shopify_headers, tagged_order
from replacements.subscriptions import ORDER_FIELDS

TARGETS = {"bare": None, "floor": None, "relevant": 0.45, "irrelevant": 0.85}
BODIES = ("subscribed", "full")
P99_TARGET_MS = 50.0
GUNICORN_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per endpoint, interleaved")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second of the latency run")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (the Procfile's default)")
    parser.add_argument("--worker-class", default="gevent", help="gunicorn's worker class (the Procfile's: gevent)")
    args = parser.parse_args(argv)
    wrk.ensure_wrk()
    print(f"ingest: gunicorn --config deploy/gunicorn.conf.py --workers {args.web_workers} --worker-class "
          f"{args.worker_class}, wrk -t1 -c{args.connections}, on {machine()}", flush=True)

    redis = RedisServer().start()
    redis.client().config_set("appendfsync", "everysec")  # as the README asks of production
    env = {**service_env(redis.url, "http://127.0.0.1:9"),  # the web tier never calls Shopify
           "GUNICORN_CMD_ARGS": f"--config {GUNICORN_CONFIG} --worker-class {args.worker_class}"}
    servers = {"service": Gunicorn("web.wsgi:app", env, args.web_workers),
               "bare": Gunicorn("bench.bare_app:app", env, args.web_workers)}
    try:
        for server in servers.values():
            server.start()
        scenarios = _scenarios(servers)
        throughput = {name: [] for name in scenarios}
        for _ in range(args.rounds):
            for name, (url, body, headers) in scenarios.items():
                throughput[name].append(wrk.run(url, body, headers, args.seconds, args.connections, secret=SECRET))
        paced = {name: wrk.run(url, body, headers, 2 * args.seconds, 16, rate=args.rate, secret=SECRET)
                 for name, (url, body, headers) in scenarios.items()}
        queued = queue_depth(redis.client()) - len(BODIES)  # less the checks' own
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
    relevant = sum(load.requests - load.errors for (_, name), loads in throughput.items() if name == "relevant"
                   for load in loads) + sum(load.requests - load.errors for (_, name), load in paced.items()
                                            if name == "relevant")
    print(f"p99 target at {args.rate:g} req/s: < {P99_TARGET_MS:g} ms; relevant deliveries answered: {relevant:,}, "
          f"tasks enqueued: {queued:,} (none may be a duplicate: as many tasks as answers, or a few more still "
          f"in flight when wrk stopped)")
    if queued < relevant:
        raise SystemExit("bench: fewer tasks than relevant deliveries: some bodies were duplicates")
    for shape in BODIES:
        relevant, floor = (statistics.median(load.requests_per_second for load in throughput[(shape, name)])
                           for name in ("relevant", "floor"))
        print(f"{shape}: relevant is {relevant / floor:.2f} of the floor (bare + one LPUSH)")


def _scenarios(servers: dict) -> dict[tuple[str, str], tuple[str, bytes, dict]]:
    expected = {"bare": "ok", "floor": "ok", "relevant": "queued", "irrelevant": "ignored"}
    scenarios = {}
    for shape in BODIES:
        relevant, irrelevant = _body(shape, tagged_order("needs-replacement")), _body(shape, tagged_order())
        bare, service = servers["bare"].url, servers["service"].url
        for name, url, body in (("bare", f"{bare}/webhooks/shopify", relevant), ("floor", f"{bare}/floor", relevant),
                                ("relevant", f"{service}/webhooks/shopify", relevant),
                                ("irrelevant", f"{service}/webhooks/shopify", irrelevant)):
            scenarios[(shape, name)] = (url, body, shopify_headers(body))  # wrk gives each request its ids, signature
    for (shape, name), (url, body, _) in scenarios.items():
        check = f"check-{shape}-{name}"
        checked = body.replace(wrk.UNIQUE, b"1")
        answer = requests.post(url, data=checked, headers={**shopify_headers(checked), "X-Shopify-Webhook-Id": check,
                                                           "X-Shopify-Event-Id": check}, timeout=5)
        if answer.status_code != 200 or answer.json().get("status") != expected[name]:
            raise SystemExit(f"bench: {shape} {name} answered {answer.status_code} {answer.text[:200]}")
    return scenarios


def _body(shape: str, order: dict) -> bytes:
    """The order's body with its id and updated_at numbered by wrk, so that each request is another
    change of another order (a body Shopify would send once)."""
    return numbered_body(order, wrk.UNIQUE.decode(), ORDER_FIELDS if shape == "subscribed" else None)


if __name__ == "__main__":
    main()
