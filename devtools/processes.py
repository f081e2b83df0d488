"""Real components for integration tests: a private redis-server, Celery worker processes.

Nothing here emulates Celery or Redis: the workers are started with the Procfile's command
(`python -m worker.run_worker`, which runs `celery worker`), talking to a real redis-server.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from devtools.embedded_redis import server_binary

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


class RedisServer:
    """A redis-server of our own on a free port; can be stopped and started again."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="rw-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or server_binary()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _pings(client), 10, message="redis-server to start")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def stop_process_group(process: subprocess.Popen | None, grace_seconds: float = 20) -> None:
    """SIGTERM a process started in a session of its own, with its children; SIGKILL after the grace."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in result.stdout.split()]


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


class Workers:
    """`python -m worker.run_worker` (the Procfile's worker): it runs `celery worker`, whose
    prefork pool children run the tasks."""

    def __init__(self, env: dict, concurrency: int = 2, name: str = "w1"):
        self.env = {**os.environ, **env}
        self.concurrency = concurrency
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"rw-{name}-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    def start(self) -> Workers:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "worker.run_worker", "--loglevel", "INFO",
             "--concurrency", str(self.concurrency), "--pool", "prefork", "--hostname", f"{self.name}@%h",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: "ready" in self.output() or self.process.poll() is not None, 30,
                   message=f"worker {self.name} to be ready")
        if self.process.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.output()}")
        return self

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def pool_pids(self) -> list[int]:
        return [pid for celery in children(self.process.pid) for pid in children(celery)]

    def kill_pool_children(self) -> None:
        for pid in self.pool_pids():
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole worker, main process and pool, as an OOM killer or a lost node would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        stop_process_group(self.process)
