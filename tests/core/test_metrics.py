"""Metrics written by any process land in Redis and render once, in Prometheus's text format."""

import time

import fakeredis
from prometheus_client.parser import text_string_to_metric_families

from core.metrics import Metrics, render


def samples(client) -> dict:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(render(client).decode()) for s in family.samples}


def test_counts_from_two_processes_add_up():
    client = fakeredis.FakeRedis()
    Metrics(client).webhooks({("shopify", "orders/updated", "queued"): 1})
    Metrics(client).webhooks({("shopify", "orders/updated", "queued"): 1})
    Metrics(client).replacement("admin_tag", "completed")
    Metrics(client).task_retried("worker.tasks.handle_event")
    found = samples(client)
    assert found[("replacement_webhooks_received_total",
                  (("outcome", "queued"), ("sender", "shopify"), ("topic", "orders/updated")))] == 2
    assert found[("replacement_replacements_total", (("outcome", "completed"), ("source", "admin_tag")))] == 1
    assert found[("replacement_task_retries_total", (("task", "worker.tasks.handle_event"),))] == 1


def test_task_durations_are_a_cumulative_histogram():
    client = fakeredis.FakeRedis()
    for seconds in (0.03, 0.3, 0.4, 70):
        Metrics(client).task_finished("t", "SUCCESS", seconds)
    found = samples(client)
    labels = (("state", "SUCCESS"), ("task", "t"))
    assert found[("replacement_task_duration_seconds_bucket", (("le", "0.05"), *labels))] == 1
    assert found[("replacement_task_duration_seconds_bucket", (("le", "0.5"), *labels))] == 3
    assert found[("replacement_task_duration_seconds_bucket", (("le", "60.0"), *labels))] == 3
    assert found[("replacement_task_duration_seconds_bucket", (("le", "+Inf"), *labels))] == 4
    assert found[("replacement_task_duration_seconds_count", labels)] == 4
    assert round(found[("replacement_task_duration_seconds_sum", labels)], 2) == 70.73


def test_shopify_points_are_the_last_answer_and_throttles_count():
    client = fakeredis.FakeRedis()
    metrics = Metrics(client)
    metrics.shopify_answer("a.myshopify.com", {"throttleStatus": {"currentlyAvailable": 1980.0}}, False)
    metrics.shopify_answer("a.myshopify.com", {"throttleStatus": {"currentlyAvailable": 12.0}}, True)
    metrics.shopify_answer("a.myshopify.com", None, False)
    found = samples(client)
    assert found[("replacement_shopify_points_available", (("shop", "a.myshopify.com"),))] == 12.0
    assert found[("replacement_shopify_throttled_total", (("shop", "a.myshopify.com"),))] == 1


def test_queue_depth_is_the_celery_list_length():
    client = fakeredis.FakeRedis()
    client.rpush("celery", "a", "b", "c")
    assert samples(client)[("replacement_queue_depth", ())] == 3


def test_a_redis_outage_does_not_fail_the_counted_work(caplog):
    caplog.set_level("WARNING", logger="core.metrics")
    server = fakeredis.FakeServer()
    server.connected = False
    Metrics(fakeredis.FakeRedis(server=server)).replacement("api", "failed")
    assert "metrics not recorded" in caplog.text


def test_the_worker_connection_gives_up_at_once_when_redis_is_down(caplog):
    caplog.set_level("WARNING", logger="core.metrics")
    started = time.monotonic()
    Metrics.from_url("redis://127.0.0.1:9/0").task_retried("t")
    assert time.monotonic() - started < 1.0
    assert "metrics not recorded" in caplog.text
