"""bin/serve: which processes the development stack runs, and that it really makes a replacement."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests
from honcho.environ import parse_procfile

from devtools.processes import ROOT, RedisServer, answers, free_port, stop_process_group, wait_until
from devtools.procfile import command
from devtools.serve import CLIENT_ID, stack
from devtools.webhook_payloads import SECRET, SHOP


def no_redis() -> str:
    raise AssertionError("the embedded Redis was started")


def test_no_redis_url_starts_the_embedded_redis_and_exports_it():
    env, _ = stack({"SHOPIFY_ACCESS_TOKEN": "shpat_real"}, start_redis=lambda: "redis://127.0.0.1:6380/0")
    assert env["REDIS_URL"] == "redis://127.0.0.1:6380/0"


def test_no_shopify_credentials_runs_the_sandbox_store_and_points_the_service_at_it_as_a_dev_dashboard_app():
    env, processes = stack({"REDIS_URL": "redis://r:6379/0", "PORT": "9000", "SANDBOX_PORT": "9765"},
                           start_redis=no_redis)
    assert processes == ["web", "worker", "beat", "sandbox"]
    assert {name: value for name, value in env.items() if name.startswith(("SHOPIFY_", "SANDBOX_", "REDIS_"))} == {
        "SHOPIFY_SHOP": SHOP, "SHOPIFY_CLIENT_ID": CLIENT_ID, "SHOPIFY_CLIENT_SECRET": SECRET,
        "SHOPIFY_ADMIN_URL": "http://127.0.0.1:9765", "SANDBOX_PORT": "9765",
        "SANDBOX_WEBHOOK_URL": "http://127.0.0.1:9000/webhooks/shopify", "REDIS_URL": "redis://r:6379/0"}


@pytest.mark.parametrize("credential", [{"SHOPIFY_ACCESS_TOKEN": "shpat_real"},
                                        {"SHOPIFY_CLIENT_ID": "id", "SHOPIFY_CLIENT_SECRET": "s"},
                                        {"SHOPS_FILE": "shops.json"}])
def test_shopify_credentials_run_the_procfile_processes_only(credential):
    given = {"REDIS_URL": "redis://r:6379/0", "SHOPIFY_SHOP": "real.myshopify.com", **credential}
    env, processes = stack(given, start_redis=no_redis)
    assert processes == ["web", "worker", "beat"]
    assert {name: env[name] for name in given} == given
    assert "SHOPIFY_ADMIN_URL" not in env


def test_procfile_dev_runs_the_procfile_lines_as_written():
    production = parse_procfile((ROOT / "Procfile").read_text()).processes
    development = parse_procfile((ROOT / "Procfile.dev").read_text()).processes
    assert list(development) == ["web", "worker", "beat", "sandbox"]
    for name in ("web", "worker", "beat"):
        assert development[name] == f"python -m devtools.procfile {name}"
        assert command(name) == production[name]


def test_bin_serve_makes_a_replacement_and_sigterm_stops_every_process(tmp_path):
    """The README's demo: bin/serve, then the sample webhook; #1002 is made in the sandbox store, by a
    service that minted its token with the client credentials grant."""
    redis_server = RedisServer().start()
    web_port, sandbox_port = free_port(), free_port()
    web, sandbox = f"http://127.0.0.1:{web_port}", f"http://127.0.0.1:{sandbox_port}"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SHOPIFY_", "SHOPS_"))}
    env.update(PORT=str(web_port), SANDBOX_PORT=str(sandbox_port), REDIS_URL=redis_server.url,
               BEAT_SCHEDULE=str(tmp_path / "beat-schedule"))
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        serve = subprocess.Popen([ROOT / "bin" / "serve"], cwd=ROOT, env=env, stdout=output,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: answers(f"{web}/healthz") and answers(f"{sandbox}/_sandbox/state"), 40,
                   message="bin/serve's web and sandbox store to answer")
        sent = subprocess.run([sys.executable, "-m", "devtools.sample_webhook", "--url", web, "--sandbox", sandbox],
                              cwd=ROOT, capture_output=True, text=True, timeout=20)
        # The sandbox fires its own orders/updated for the same tag change: whichever comes second
        # carries the same body and is a duplicate.
        assert sent.stdout.strip() in ('200 {"status":"queued"}', '200 {"status":"duplicate"}'), sent.stderr
        def order_1002() -> dict | None:
            orders = requests.get(f"{sandbox}/_sandbox/state", timeout=5).json()["orders"]
            return next((order for order in orders if order["name"] == "#1002"), None)

        replacement = wait_until(order_1002, 30, message="order #1002")
        assert replacement["tags"] == ["replacement", "replacement-for-1001"]
        assert requests.get(f"{sandbox}/_sandbox/tokens", timeout=5).json()["mints"] == 1  # client credentials

        os.kill(serve.pid, signal.SIGTERM)
        assert serve.wait(15) == 143  # honcho's answer to SIGTERM, once every process has stopped
        assert not answers(f"{web}/healthz") and not answers(f"{sandbox}/_sandbox/state")
        assert "worker.1 stopped" in log.read_text() and "beat.1 stopped" in log.read_text()
    finally:
        stop_process_group(serve)
        redis_server.stop()
        print(log.read_text()[-5000:])  # shown when the test fails
