"""Benchmark: Redis is the system of record. API requests answered 202, then a SIGKILL of
redis-server right after the last 202, then the same server started again on the same port,
data directory and configuration: how many of those requests does the API still know
(`GET /api/replacements/<id>`: 200), and how many are lost (404)?

    .venv/bin/python -m bench.redis_crash                  # 300 requests, each mode
    .venv/bin/python -m bench.redis_crash --requests 150 --modes none

Two modes: `none`, Redis without persistence (`--save "" --appendonly no`), and `aof`, as
docker-compose.yml runs it (`--appendonly yes --appendfsync everysec --maxmemory-policy
noeviction`). Real components: a private redis-server and the Procfile's web (gunicorn, gevent)
with API_TOKEN set. No worker runs, so every request is still queued when Redis dies: its record
and its task exist nowhere but in Redis (a worker would only change its status, in Redis too).

With `everysec` a SIGKILL of the redis process alone loses nothing: Redis write()s the AOF
before it sends the replies of a loop, so each 202 follows a write that sits in the kernel's
page cache, which outlives the process. Only a crash of the machine (or the kernel) itself can
lose the last second that was not yet fsync'd; this benchmark does not measure that.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import time
import uuid
from dataclasses import dataclass

import redis
import requests

from bench.table import machine, table
from devtools.embedded_redis import server_binary
from devtools.processes import ProcfileWeb, RedisServer, service_env, stop_all, wait_until

API_TOKEN = "api-token-redis-crash"
MODES = {
    "none": ["--save", "", "--appendonly", "no"],
    "aof": ["--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction"],
}
LABELS = {"none": "no persistence", "aof": "AOF everysec"}


class CrashableRedis(RedisServer):
    """The harness's private redis-server with the persistence of one mode, which a SIGKILL ends
    and `start()` brings back on the same port, data directory and configuration."""

    def __init__(self, mode: str):
        super().__init__()
        self.mode = mode

    def start(self) -> CrashableRedis:
        self._spawn([shutil.which("redis-server") or server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                     "--dir", self.dir, *MODES[self.mode]])
        client = self.client()
        self._wait_for(lambda: _pings(client), "to answer PING", 10)
        return self

    def kill(self) -> None:
        """SIGKILL redis-server itself (no shutdown, no last save), and reap it."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


@dataclass
class Crash:
    mode: str
    answered: int  # POSTs answered 202 before the SIGKILL
    lost: int  # of those, answered 404 after the restart
    kept: int  # of those, answered 200 after the restart
    seconds: float  # from the first POST to the last 202

    @property
    def lost_share(self) -> float:
        return self.lost / self.answered if self.answered else 0.0


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {API_TOKEN}"}


def _ready(session: requests.Session, url: str) -> bool:
    try:
        return session.get(f"{url}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _status(session: requests.Session, url: str, request_id: str) -> int:
    """The status route's answer for one id; a 503 (a pooled connection to the dead server) is retried."""
    for _ in range(20):
        answer = session.get(f"{url}/api/replacements/{request_id}", headers=_bearer(), timeout=10)
        if answer.status_code != 503:
            return answer.status_code
        time.sleep(0.1)
    return answer.status_code


def crash(mode: str, count: int) -> Crash:
    """POST `count` distinct API requests, SIGKILL Redis right after the last 202, start it
    again, and ask the API for each request id."""
    redis_server = CrashableRedis(mode).start()
    web = None
    try:
        env = {**service_env(redis_server.url, "http://127.0.0.1:9"),  # the web tier never calls Shopify
               "API_TOKEN": API_TOKEN, "LOG_LEVEL": "WARNING"}
        web = ProcfileWeb(env).start()
        session, run, ids = requests.Session(), uuid.uuid4().hex[:8], []
        started = time.monotonic()
        for number in range(count):
            answer = session.post(f"{web.url}/api/replacements", timeout=10,
                                  json={"order": f"#{1001 + number % 3}", "reason": f"redis crash {run} {number}"},
                                  headers={**_bearer(), "Idempotency-Key": f"redis-crash-{run}-{number}"})
            if answer.status_code != 202 or answer.json().get("status") != "queued":
                raise AssertionError(f"request {number}: {answer.status_code} {answer.text}")
            ids.append(answer.json()["request_id"])
        seconds = time.monotonic() - started
        redis_server.kill()  # right after the last 202
        redis_server.start()
        wait_until(lambda: _ready(session, web.url), 20, message="the web app to reach Redis again")
        statuses = [_status(session, web.url, request_id) for request_id in ids]
    finally:
        stop_all(web, redis_server)
    unexpected = {status for status in statuses if status not in (200, 404)}
    if unexpected:
        raise AssertionError(f"{mode}: answers other than 200 or 404 after the restart: {sorted(unexpected)}")
    return Crash(mode, len(ids), statuses.count(404), statuses.count(200), seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.redis_crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="API requests answered 202 before the SIGKILL")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES),
                        help="none: --save '' --appendonly no; aof: --appendonly yes --appendfsync everysec")
    args = parser.parse_args(argv)
    print(f"redis crash: {args.requests} API requests answered 202, SIGKILL of redis-server right after the last, "
          f"same port, dir and config again; the Procfile's web, no worker; on {machine()}", flush=True)
    rows = []
    for mode in args.modes:
        result = crash(mode, args.requests)
        rows.append([LABELS[mode], result.answered, result.lost, f"{result.lost_share:.0%}"])
        print(f"  {LABELS[mode]}: {result.answered} POSTs in {result.seconds:.1f} s; after the restart "
              f"{result.kept} answer 200, {result.lost} answer 404", flush=True)
    print(table(["mode", "answered 202", "lost after SIGKILL", "lost %"], rows))


if __name__ == "__main__":
    main()
