"""Prometheus metrics kept in Redis, so that every process on every machine adds to one set.

Web and worker processes run on different machines and Celery's prefork children come and
go, so a counter in a process's memory would be lost or scattered. Each event is instead
one HINCRBY (or a small pipeline for a histogram) on the Redis the service already depends
on, and `GET /metrics` on any web process renders the fleet-wide totals. Scrape one web
instance (or aggregate with max(), not sum()). A Redis error never fails the work that
was being counted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import keys

log = logging.getLogger(__name__)

NAMESPACE = "replacement_"
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class Spec:
    kind: str
    documentation: str
    labels: tuple[str, ...]


SPECS = {
    "webhooks_received": Spec("counter", "Webhook deliveries by sender, topic and outcome",
                              ("sender", "topic", "outcome")),
    "replacements": Spec("counter", "Replacement requests finished, by source and outcome", ("source", "outcome")),
    "task_duration_seconds": Spec("histogram", "Celery task run time by task and final state", ("task", "state")),
    "task_retries": Spec("counter", "Celery task retries by task", ("task",)),
    "shopify_throttled": Spec("counter", "THROTTLED answers from the Admin API by shop", ("shop",)),
    "shopify_unavailable": Spec("counter", "Tasks that found the shop unavailable (frozen, locked, credentials "
                                "refused) and wait to retry, by shop and reason", ("shop", "reason")),
    "budget_deferrals": Spec("counter", "Tasks sent back to wait for their shop's API points (no worker waits), "
                             "by shop", ("shop",)),
    "shopify_token_mints": Spec("counter", "Admin API tokens minted with the client credentials grant, by shop",
                                ("shop",)),
    "duplicate_drafts_deleted": Spec("counter", "Spare replacement drafts deleted because two drafts carried one "
                                     "request id (a draftOrderCreate whose answer was lost, sent again), by shop",
                                     ("shop",)),
    "ticket_notes": Spec("counter", "Notes written back to helpdesk tickets, by provider and result (sent; "
                         "retried: an attempt failed and is tried again; failed: given up, journaled)",
                         ("provider", "result")),
    "events_out": Spec("counter", "Outcome events POSTed to EVENTS_URL, by type and result (sent; retried; "
                       "failed: given up, journaled)", ("type", "result")),
    "circuit_breaker_holds": Spec("counter", "Replacements held for review by the store's circuit breaker, by shop "
                                  "and limit (max_per_hour, max_value_per_day)", ("shop", "limit")),
    "shopify_points_available": Spec("gauge", "Admin API points available in the shop's bucket at the last answer",
                                     ("shop",)),
}


class Metrics:
    """Records events; one instance per process is enough (it holds only the Redis client)."""

    def __init__(self, client: redis.Redis):
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> Metrics:
        """Its own connection that gives up at once: a count is not worth a task waiting on Redis."""
        return cls(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5,
                                        retry=Retry(NoBackoff(), 0)))

    def webhooks(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        """Several webhook counts, (sender, topic, outcome) -> deliveries, in one round trip."""
        self._write(lambda pipe: [pipe.hincrby(_key("webhooks_received"), _field(list(labels)), count)
                                  for labels, count in counts.items()])

    def replacement(self, source: str, outcome: str) -> None:
        self._inc("replacements", source, outcome)

    def task_retried(self, task: str) -> None:
        self._inc("task_retries", task)

    def task_finished(self, task: str, state: str, seconds: float) -> None:
        labels = [task, state]
        bucket = next((str(b) for b in DURATION_BUCKETS if seconds <= b), "+Inf")
        self._write(lambda pipe: (
            pipe.hincrby(_key("task_duration_seconds"), _field(labels, bucket), 1),
            pipe.hincrbyfloat(_key("task_duration_seconds"), _field(labels, "sum"), seconds),
        ))

    def shopify_answer(self, shop: str, cost: dict | None, throttled: bool) -> None:
        available = ((cost or {}).get("throttleStatus") or {}).get("currentlyAvailable")

        def write(pipe):
            if available is not None:
                pipe.hset(_key("shopify_points_available"), _field([shop]), float(available))
            if throttled:
                pipe.hincrby(_key("shopify_throttled"), _field([shop]), 1)

        if available is not None or throttled:
            self._write(write)

    def shop_unavailable(self, shop: str, reason: str) -> None:
        self._inc("shopify_unavailable", shop, reason)

    def budget_deferral(self, shop: str) -> None:
        self._inc("budget_deferrals", shop)

    def token_minted(self, shop: str) -> None:
        self._inc("shopify_token_mints", shop)

    def duplicate_draft_deleted(self, shop: str) -> None:
        self._inc("duplicate_drafts_deleted", shop)

    def circuit_breaker_hold(self, shop: str, limit: str) -> None:
        self._inc("circuit_breaker_holds", shop, limit)

    def ticket_note(self, provider: str, result: str) -> None:
        self._inc("ticket_notes", provider, result)

    def event_out(self, event_type: str, result: str) -> None:
        self._inc("events_out", event_type, result)

    def _inc(self, name: str, *labels: str) -> None:
        self._write(lambda pipe: pipe.hincrby(_key(name), _field(list(labels)), 1))

    def _write(self, commands) -> None:
        try:
            pipe = self.client.pipeline(transaction=False)
            commands(pipe)
            pipe.execute()
        except redis.RedisError as error:
            log.warning("metrics not recorded", extra={"error": type(error).__name__})


def _key(name: str) -> str:
    return f"{keys.METRICS}{name}"


def _field(labels: list[str], part: str = "") -> str:
    return json.dumps([*labels, part])


class RedisCollector:
    """Reads the hashes written by `Metrics`, and the queue length, at scrape time."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator[Metric]:
        for name, spec in SPECS.items():
            raw = {tuple(json.loads(k)): v for k, v in self.client.hgetall(_key(name)).items()}
            yield _family(name, spec, raw)
        yield GaugeMetricFamily(f"{NAMESPACE}queue_depth", "Tasks waiting in the Celery queue",
                                value=queue_depth(self.client))


def _family(name: str, spec: Spec, raw: dict) -> Metric:
    full = NAMESPACE + name
    if spec.kind == "histogram":
        return _histogram(full, spec, raw)
    family = (CounterMetricFamily if spec.kind == "counter" else GaugeMetricFamily)(
        full, spec.documentation, labels=spec.labels)
    for (*labels, _), value in sorted(raw.items()):
        family.add_metric(labels, float(value))
    return family


def _histogram(full: str, spec: Spec, raw: dict) -> Metric:
    family = HistogramMetricFamily(full, spec.documentation, labels=spec.labels)
    series: dict[tuple, dict[str, float]] = {}
    for (*labels, part), value in raw.items():
        series.setdefault(tuple(labels), {})[part] = float(value)
    for labels, parts in sorted(series.items()):
        cumulative, buckets = 0.0, []
        for bound in (*map(str, DURATION_BUCKETS), "+Inf"):
            cumulative += parts.get(bound, 0.0)
            buckets.append((bound, cumulative))
        family.add_metric(list(labels), buckets, parts.get("sum", 0.0))
    return family


def render(client: redis.Redis) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RedisCollector(client))
    return generate_latest(registry)


def queue_depth(client) -> int:
    """Tasks waiting in the queue, whatever their priority."""
    pipe = client.pipeline(transaction=False)
    for name in keys.QUEUE_LISTS:
        pipe.llen(name)
    return sum(pipe.execute())
