"""Metrics move with real traffic through real workers, and the worker's log follows one request
from webhook to task to Shopify call to result without a secret, token or address in it."""

import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from devtools.processes import wait_until
from tests.integration.conftest import TOKEN, send_order_webhook, wait_for_request
from tests.payloads import SECRET


def scrape(web) -> dict:
    text = web.get("/metrics").get_data(as_text=True)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def log_lines(workers, since: int) -> list[dict]:
    lines = []
    for raw in workers.output()[since:].splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            continue
    return lines


def test_metrics_and_logs_follow_a_replacement(web, shop, state, workers, json_log, monkeypatch):
    monkeypatch.setattr(logging.getLogger("web.receiver"), "level", logging.DEBUG)  # LOG_LEVEL=DEBUG
    log_start = len(workers.output())
    before = scrape(web)
    shop.tag(add=["needs-replacement"])

    assert send_order_webhook(web, shop.rest_order(), "wh-obs-1", "ev-obs-1").json == {"status": "queued"}
    assert send_order_webhook(web, shop.rest_order(), "wh-obs-1", "ev-obs-1").json == {"status": "duplicate"}
    assert wait_for_request(state, "admin-450789469-1")["status"] == "done"

    def moved(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    # The task is counted when it returns, a moment after the request's state says done.
    task_counted = ("replacement_task_duration_seconds_count",
                    (("state", "SUCCESS"), ("task", "worker.tasks.handle_event")))
    after = wait_until(lambda: (found := scrape(web)).get(task_counted) and found, 10, message="task metrics")

    assert moved("replacement_webhooks_received_total", sender="shopify", topic="orders/updated",
                 outcome="queued") == 1
    assert moved("replacement_webhooks_received_total", sender="shopify", topic="orders/updated",
                 outcome="duplicate") == 1
    assert moved("replacement_replacements_total", source="admin_tag", outcome="completed") == 1
    assert moved("replacement_task_duration_seconds_count", task="worker.tasks.handle_event", state="SUCCESS") == 1
    assert after[("replacement_shopify_points_available", (("shop", "example.myshopify.com"),))] > 0
    assert after[("replacement_queue_depth", ())] == 0

    lines = log_lines(workers, log_start)
    done = next(line for line in lines if line.get("message") == "replacement done")
    assert done["delivery_id"] == "wh-obs-1"
    calls = [line for line in lines if line.get("message") == "shopify call"
             and line.get("request_id") == "admin-450789469-1"]
    assert {"DraftOrderCreate", "DraftOrderComplete"} <= {call["operation"] for call in calls}
    assert all(call["delivery_id"] == "wh-obs-1" and call["task_id"] == done["task_id"] for call in calls)

    accepted = [line for line in json_log() if line["message"] == "delivery accepted"]
    assert [(line["delivery_id"], line["status"]) for line in accepted] == [("wh-obs-1", "queued"),
                                                                            ("wh-obs-1", "duplicate")]

    text = workers.output()[log_start:] + json_log.text()
    order = shop.rest_order()
    for private in (TOKEN, SECRET, order["email"], order["shipping_address"]["address1"],
                    order["shipping_address"]["zip"], order["customer"]["last_name"]):
        assert private not in text
