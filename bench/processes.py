"""The real processes a benchmark runs, on loopback only: the sandbox store and gunicorn here,
a private redis-server and `celery worker` processes from devtools/processes.py."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from devtools.processes import ROOT, RedisServer, Workers, free_port, stop_process_group, wait_until
from tests.payloads import SECRET, SHOP

TOKEN = "shpat_bench"

__all__ = ["Gunicorn", "RedisServer", "SandboxProcess", "Workers", "service_env", "stop_all"]


def service_env(redis_url: str, admin_url: str) -> dict:
    """The service's environment as an operator would set it, pointed at the sandbox."""
    return {"SHOPIFY_SHOP": SHOP, "SHOPIFY_ACCESS_TOKEN": TOKEN, "SHOPIFY_WEBHOOK_SECRET": SECRET,
            "SHOPIFY_ADMIN_URL": admin_url, "REDIS_URL": redis_url, "LOG_LEVEL": "INFO"}


class _Process:
    name = "process"

    def __init__(self):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix=f"rw-bench-{self.name}-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, command: list[str], env: dict | None = None) -> None:
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_for(self, path: str) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{Path(self.log.name).read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}{path}", timeout=1)
                return True
            except requests.RequestException:
                return False
        wait_until(answers, 30, message=f"{self.name} to answer")

    def stop(self) -> None:
        stop_process_group(self.process)


class SandboxProcess(_Process):
    """`python -m sandbox` with one plan's bucket, sending its webhooks to `webhook_url`."""

    name = "sandbox"

    def __init__(self, plan: str = "standard", webhook_url: str | None = None):
        super().__init__()
        self.plan = plan
        self.webhook_url = webhook_url

    def start(self) -> SandboxProcess:
        command = [sys.executable, "-m", "sandbox", "--port", str(self.port), "--plan", self.plan,
                   "--token", TOKEN, "--webhook-secret", SECRET, "--quiet"]
        if self.webhook_url:
            command += ["--webhook-url", self.webhook_url]
        self._spawn(command)
        self._wait_for("/_sandbox/config")
        return self

    def control(self, method: str, path: str, body=None):
        response = requests.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=60)
        response.raise_for_status()
        return response.json()


class Gunicorn(_Process):
    """gunicorn serving `app` (a `module:variable`), with the Procfile's sync workers."""

    name = "gunicorn"

    def __init__(self, app: str, env: dict | None = None, workers: int = 2, port: int | None = None):
        super().__init__()
        self.port = port or self.port
        self.app = app
        self.env = env
        self.workers = workers

    def start(self) -> Gunicorn:
        self._spawn([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                     "--workers", str(self.workers), self.app], self.env)
        self._wait_for("/healthz")
        return self


def stop_all(*processes) -> None:
    for process in processes:
        if process is not None:
            process.stop()
