"""Starts the whole service on one machine, as `bin/serve` documents.

Runs every Procfile line (web, worker, beat) as written. With REDIS_URL unset it starts the
embedded Redis; with no SHOPIFY_ACCESS_TOKEN it starts the sandbox store and points the
service at it, so a newcomer sees a replacement made end to end. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from devtools.embedded_redis import ensure_embedded_redis

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8765"))
SANDBOX_TOKEN = "shpat_sandbox"
SANDBOX_SECRET = "sandbox-webhook-secret"


def main() -> int:
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PORT", "8000")
    children: list[subprocess.Popen] = []
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = ensure_embedded_redis()
        print(f"stack: embedded Redis at {env['REDIS_URL']}", flush=True)
    if not env.get("SHOPIFY_ACCESS_TOKEN") and not env.get("SHOPS_FILE"):
        children.append(_start_sandbox(env))
    for name, command in _procfile():
        children.append(_spawn(name, command, env))
    return _supervise(children)


def _start_sandbox(env: dict) -> subprocess.Popen:
    url = f"http://127.0.0.1:{SANDBOX_PORT}"
    env.update(SHOPIFY_SHOP="example.myshopify.com", SHOPIFY_ACCESS_TOKEN=SANDBOX_TOKEN,
               SHOPIFY_WEBHOOK_SECRET=env.get("SHOPIFY_WEBHOOK_SECRET") or SANDBOX_SECRET, SHOPIFY_ADMIN_URL=url)
    process = _spawn("sandbox", f"python -m sandbox --port {SANDBOX_PORT} --token {SANDBOX_TOKEN} "
                     f"--webhook-url http://127.0.0.1:{env['PORT']}/webhooks/shopify "
                     f"--webhook-secret {env['SHOPIFY_WEBHOOK_SECRET']}", env)
    for _ in range(200):
        try:
            requests.get(f"{url}/_sandbox/state", timeout=0.5)
            print(f"stack: sandbox store at {url} (no Shopify credentials set)", flush=True)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("stack: the sandbox store did not start")


def _procfile() -> list[tuple[str, str]]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return [tuple(part.strip() for part in line.split(":", 1)) for line in lines if ":" in line]


def _spawn(name: str, command: str, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(["sh", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    threading.Thread(target=_relay, args=(name, process), daemon=True).start()
    return process


def _relay(name: str, process: subprocess.Popen) -> None:
    for line in process.stdout:
        sys.stdout.write(f"{name:>8} | {line}")
        sys.stdout.flush()


def _supervise(children: list[subprocess.Popen]) -> int:
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
    return max((child.returncode or 0) for child in children)


if __name__ == "__main__":
    sys.exit(main())
