"""The real processes the tests and the benchmarks run, on loopback only: a private
redis-server, the sandbox store (`python -m sandbox`), gunicorn, the Procfile's web and worker
(`python -m worker.run_worker`, which runs `celery worker`). Nothing here emulates Celery or Redis.

Each process runs in a session of its own with its output in a log file (`output()`), and
`stop()` ends it with its children. The development stack itself is `bin/serve`
(devtools/serve.py, Procfile.dev).
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
import requests

from devtools.embedded_redis import server_binary
from devtools.webhook_payloads import SECRET, SHOP

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "shpat_sandbox"  # the access token the sandbox store accepts, and the service sends


def shop_env(admin_url: str) -> dict[str, str]:
    """The service's shop settings for a sandbox store at `admin_url` started with `sandbox_arguments()`."""
    return {"SHOPIFY_SHOP": SHOP, "SHOPIFY_ACCESS_TOKEN": TOKEN, "SHOPIFY_WEBHOOK_SECRET": SECRET,
            "SHOPIFY_ADMIN_URL": admin_url}


def sandbox_arguments() -> list[str]:
    """The sandbox store's credentials: those `shop_env` gives the service."""
    return ["--token", TOKEN, "--webhook-secret", SECRET]


def service_env(redis_url: str, admin_url: str) -> dict[str, str]:
    """The service's environment as an operator would set it, pointed at a sandbox store."""
    return {**shop_env(admin_url), "REDIS_URL": redis_url, "LOG_LEVEL": "INFO"}


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


def stop_process_group(process: subprocess.Popen | None, grace_seconds: float = 20) -> None:
    """SIGTERM a process started in a session of its own, with its children; SIGKILL after the grace."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def stop_all(*processes: Process | None) -> None:
    for process in processes:
        if process is not None:
            process.stop()


def children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(child) for child in result.stdout.split()]


def answers(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
        return True
    except requests.RequestException:
        return False


class Process:
    """One command in a session of its own, its output in a log file."""

    name = "process"

    def __init__(self, env: dict | None = None):
        self.env = env
        self.log = tempfile.NamedTemporaryFile(prefix=f"rw-{self.name}-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    def _spawn(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(self.env or {})}, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_for(self, ready, what: str, timeout: float = 30) -> None:
        def ready_or_exited() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-2000:]}")
            return ready()
        wait_until(ready_or_exited, timeout, message=f"{self.name} {what}")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        stop_process_group(self.process)


class RedisServer(Process):
    """A redis-server of our own on a free port, AOF on; can be stopped and started again."""

    name = "redis"

    def __init__(self):
        super().__init__()
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="rw-redis-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self._spawn([shutil.which("redis-server") or server_binary(), "--port", str(self.port), "--bind", "127.0.0.1",
                     "--dir", self.dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always"])
        client = self.client()
        self._wait_for(lambda: _pings(client), "to answer PING", 10)
        return self

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


class HttpServer(Process):
    """A process that answers HTTP on 127.0.0.1:`port` (a free one unless given)."""

    def __init__(self, env: dict | None = None, port: int | None = None):
        super().__init__(env)
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_for_answer(self, path: str) -> None:
        self._wait_for(lambda: answers(f"{self.url}{path}"), "to answer")


class SandboxProcess(HttpServer):
    """`python -m sandbox` with one plan's bucket, sending its webhooks to `webhook_url`."""

    name = "sandbox"

    def __init__(self, plan: str = "standard", webhook_url: str | None = None):
        super().__init__()
        self.plan = plan
        self.webhook_url = webhook_url

    def start(self) -> SandboxProcess:
        command = [sys.executable, "-m", "sandbox", "--port", str(self.port), "--plan", self.plan,
                   *sandbox_arguments(), "--quiet"]
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url]
        self._spawn(command)
        self._wait_for_answer("/_sandbox/config")
        return self

    def control(self, method: str, path: str, body=None):
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()


class Gunicorn(HttpServer):
    """gunicorn serving `app` (a `module:variable`) with `workers` workers of gunicorn's default
    class, sync, unless the environment's GUNICORN_CMD_ARGS says otherwise (bench.ingest gives it
    the Procfile's `--config deploy/gunicorn.conf.py`: gevent). The Procfile's web itself, gevent
    workers with its options as written, is `ProcfileWeb`."""

    name = "gunicorn"

    def __init__(self, app: str, env: dict | None = None, workers: int = 2, port: int | None = None):
        super().__init__(env, port)
        self.app = app
        self.workers = workers

    def start(self) -> Gunicorn:
        self._spawn([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                     "--workers", str(self.workers), self.app])
        self._wait_for_answer("/healthz")
        return self


class ProcfileWeb(HttpServer):
    """The Procfile's `web` line as written (`python -m devtools.procfile web`), on a free port;
    `worker_class` overrides the one of deploy/gunicorn.conf.py (GUNICORN_CMD_ARGS)."""

    name = "web"

    def __init__(self, env: dict, worker_class: str | None = None, port: int | None = None):
        super().__init__(env, port)
        self.worker_class = worker_class

    def start(self) -> ProcfileWeb:
        self.env = {**self.env, "PORT": str(self.port),
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        if self.worker_class:
            self.env["GUNICORN_CMD_ARGS"] = f"--worker-class {self.worker_class}"
        self._spawn([sys.executable, "-m", "devtools.procfile", "web"])
        self._wait_for_answer("/healthz")
        return self


class Workers(Process):
    """`python -m worker.run_worker` (the Procfile's worker): it runs `celery worker`, whose
    prefork pool children run the tasks."""

    name = "worker"

    def __init__(self, env: dict, concurrency: int = 2, name: str = "w1"):
        self.name = name
        super().__init__(env)
        self.concurrency = concurrency

    def start(self) -> Workers:
        self._spawn([sys.executable, "-m", "worker.run_worker", "--loglevel", "INFO",
                     "--concurrency", str(self.concurrency), "--pool", "prefork", "--hostname", f"{self.name}@%h",
                     "--without-mingle", "--without-gossip"])
        self._wait_for(lambda: "ready" in self.output(), "to be ready")
        return self

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
