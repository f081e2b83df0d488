"""Nothing is lost: Redis down at ingest answers 503 fast and the retry goes through; Redis
restarted mid-flight; dead letters are visible and replayable; reconciliation finds what
webhooks missed and what got stuck."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from core import keys
from devtools.processes import ROOT, RedisServer, children, wait_until
from tests.conftest import make_settings
from tests.integration.conftest import ORDER_ID, send_order_webhook, wait_for_request
from tests.payloads import shopify_headers
from tests.queued import QueuedTasks, decode
from web import create_app

LINE_ID = 518995019  # #1001's IPOD2008RED line


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


def test_redis_down_at_ingest_answers_503_within_a_second_and_the_retry_goes_through(own_redis, service_env, shop):
    web = create_app(make_settings(**{**service_env, "REDIS_URL": own_redis.url})).test_client()
    shop.tag(add=["needs-replacement"])
    order = shop.rest_order()
    # An earlier change of the order opens the web tier's connection (a body of its own: the same
    # body again would be a duplicate, whatever its ids).
    earlier = {**order, "updated_at": "2026-01-01T00:00:00-05:00"}
    assert send_order_webhook(web, earlier, "wh-0", "ev-0").json == {"status": "queued"}
    own_redis.stop()

    started = time.monotonic()
    response = send_order_webhook(web, order, "wh-1", "ev-1")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json == {"status": "error", "error": "queue unreachable, retry later"}
    assert elapsed < 1.0
    assert web.get("/readyz").status_code == 503

    own_redis.start()
    assert send_order_webhook(web, order, "wh-1", "ev-1").json == {"status": "queued"}
    queued = [headers["log_context"]["delivery_id"]
              for _task, _args, headers in QueuedTasks(own_redis.client()).messages()]
    assert "wh-1" in queued


@pytest.fixture
def service(own_service):
    """Workers on a Redis of their own, which the test restarts: the ack of the task that runs across
    the restart is lost, and its message waits in `unacked` for the visibility timeout before it
    comes back (to find its request done). On the session's Redis it reached later tests."""
    with own_service("restarted") as service:
        yield service


def test_redis_restarted_mid_flight_finishes_once(service, shop):
    shop.faults({"field": "draftOrderCreate", "action": "delay", "nth": 1, "seconds": 3})
    shop.tag(add=["needs-replacement"])
    assert send_order_webhook(service.web(), shop.rest_order(), "wh-1", "ev-1").json == {"status": "queued"}
    wait_until(lambda: (r := service.state.get("admin-450789469-1")) and r.get("status") == "creating",
               20, message="the create call")

    service.redis.stop()
    time.sleep(1)
    service.redis.start()

    record = wait_for_request(service.state, "admin-450789469-1", timeout=120)
    assert record["status"] == "done"
    assert len(shop.replacements()) == 1
    assert len(shop.drafts()) == 1


def run_module(module: str, env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env={**env, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_failed_tasks_are_dead_lettered_and_replayed_with_one_command(shop, state, workers, service_env):
    from celery import Celery

    from worker.app import celery_config

    publisher = Celery("test")
    publisher.conf.update(celery_config(make_settings(**service_env), publisher=True))
    publisher.send_task("worker.tasks.handle_event", args=[{
        "shop": "unknown.myshopify.com", "source": "api", "request_id": "api-lost", "order": "#1001"}])

    dead = wait_until(lambda: state.dead_letters(), 20, message="a dead letter")
    assert dead[0]["task"] == "worker.tasks.handle_event"
    assert dead[0]["error"] == "LookupError: shop unknown.myshopify.com is not configured"
    listed = [json.loads(line) for line in run_module("ops.deadletter", service_env, "list").splitlines()]
    assert listed == dead

    assert run_module("ops.deadletter", service_env, "replay").strip() == "replayed 1 task(s)"
    wait_until(lambda: len(state.dead_letters()) == 1 and state.dead_letters()[0]["at"] != dead[0]["at"], 20,
               message="the replayed task to fail again and be dead-lettered again")


def reconcile(service_env: dict) -> None:
    run_module("celery", service_env, "-A", "worker.main", "call", "worker.tasks.reconcile")


def test_reconciliation_finds_tagged_orders_whose_webhook_was_lost(shop, state, workers, service_env):
    shop.tag(add=["needs-replacement"])  # and no webhook arrives

    reconcile(service_env)

    assert wait_for_request(state, "admin-450789469-1")["status"] == "done"
    assert len(shop.replacements()) == 1


def test_reconciliation_finds_a_reason_tag_with_a_colon_by_its_exact_form(shop, state, workers, service_env):
    shop.tag(add=["needs-replacement:lost"])  # Shopify search knows whole tags only: no wildcard

    reconcile(service_env)

    record = wait_for_request(state, "admin-450789469-1")
    assert (record["status"], record["request"]["reason_code"]) == ("done", "lost")
    [search] = [call for call in shop.calls() if call["operation"] == "OrdersTagged"]
    assert search["errors"] in (None, [])


def test_a_refund_missed_during_an_outage_is_found_by_reconciliation_and_replaced_once(web, shop, state, workers,
                                                                                      service_env, redis_server):
    # No webhook reaches the service (nothing is subscribed here): an outage as far as it knows.
    refund = requests.post(f"{shop.url}/_sandbox/orders/{ORDER_ID}/refunds", timeout=5, json={
        "note": "Lost by the carrier, replace", "amount": "199.00",
        "line_items": [{"line_item_id": LINE_ID, "quantity": 1}]}).json()["refund"]

    reconcile(service_env)

    record = wait_for_request(state, f"refund-{refund['id']}")
    assert record["status"] == "done", record
    [replacement] = shop.replacements()
    assert [(line["sku"], line["quantity"]) for line in replacement["line_items"]] == [("IPOD2008RED", 1)]
    assert replacement["note"] == f"Replacement for #1001: Lost by the carrier, replace (via refund {refund['id']})"

    # The webhook arrives after all, and reconciliation runs again: still one request, one replacement.
    body = json.dumps(refund).encode()
    assert web.post("/webhooks/shopify", data=body, headers=shopify_headers(body, topic="refunds/create")).json == {
        "status": "queued"}
    reconcile(service_env)
    wait_until(lambda: not about(redis_server.client(), f"refund-{refund['id']}"), 30,
               message="the late delivery's task and reconciliation to run")
    assert len(shop.replacements()) == 1
    assert len(shop.drafts()) == 1
    assert [call["operation"] for call in shop.calls()].count("RefundLines") == 1


def about(client, request_id: str) -> bool:
    """Whether a reconcile task, or a task of the request, is queued or running."""
    messages = QueuedTasks(client).messages()
    messages += [decode(json.dumps(json.loads(raw)[0])) for raw in client.hvals("unacked")]
    return any(task == keys.RECONCILE or (task == keys.HANDLE_EVENT and args[0].get("request_id") == request_id)
               for task, args, _headers in messages)


def test_reconciliation_resumes_requests_stuck_in_a_non_final_state(shop, state, workers, service_env):
    request = {"request_id": "api-stuck", "shop": "example.myshopify.com", "source": "api",
               "source_label": "API", "order": "#1001", "reason": "lost in transit"}
    state.create_request(request)
    state.client.hset("rw:req:api-stuck", "updated_at", time.time() - 3600)

    run_module("celery", service_env, "-A", "worker.main", "call", "worker.tasks.reconcile")

    assert wait_for_request(state, "api-stuck")["status"] == "done"
    [replacement] = shop.replacements()
    assert replacement["note"] == "Replacement for #1001: lost in transit (via API)"


def test_a_celery_worker_that_dies_is_started_again_by_the_procfile_command(own_service, shop):
    with own_service("phoenix") as service:  # the only worker of its Redis: the one started again does the work
        process = service.worker
        [celery] = children(process.process.pid)
        os.kill(celery, signal.SIGKILL)
        wait_until(lambda: process.output().count(" ready.") >= 2, 30, message="the worker to be started again")

        shop.tag(add=["needs-replacement"])
        assert send_order_webhook(service.web(), shop.rest_order(), "wh-1", "ev-1").json == {"status": "queued"}
        assert wait_for_request(service.state, "admin-450789469-1")["status"] == "done"
        assert "celery worker exited with -9; starting it again" in process.output()


def test_the_journal_command_shows_each_request_and_its_outcome(state, service_env):
    state.journal("admin-1-1", "received", order="#1001")
    state.journal("admin-1-1", "failed", reason="order #1001 is cancelled")
    state.journal("api-2", "done", replacement="#1002")

    lines = [json.loads(line) for line in run_module("ops.journal", service_env, "--status", "failed").splitlines()]
    assert [(e["request_id"], e["event"], e["detail"]) for e in lines] == [
        ("admin-1-1", "failed", {"reason": "order #1001 is cancelled"})]
    one = [json.loads(line) for line in run_module("ops.journal", service_env, "--request", "api-2").splitlines()]
    assert [(e["event"], e["detail"]) for e in one] == [("done", {"replacement": "#1002"})]
