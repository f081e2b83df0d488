"""Signed webhook deliveries, sent from background threads as Shopify does.

Targets: the configured `webhook_url` (for `webhook_topics`) and every subscription made with
`webhookSubscriptionCreate` (its `filter` and `includeFields` applied). Each body is rendered
when the event happens; a failed delivery is retried `webhook_retries` times with the same ids.
With `webhook_removal_failures` set (Shopify: 8), a subscription made through the API is deleted
after that many failed attempts in a row, as Shopify deletes one; `webhook_url` stands for the
app's configuration (shopify.app.toml), which Shopify never deletes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

import requests

from sandbox import search
from sandbox.dates import graphql_datetime, now

API_VERSION = "2026-04"
SENDERS = 4
RETRY_PAUSE = 0.5


def topic_of(enum_value: str) -> str:
    """`ORDERS_UPDATED` → `orders/updated`, `DRAFT_ORDERS_CREATE` → `draft_orders/create`."""
    resource, _, action = enum_value.lower().rpartition("_")
    return f"{resource}/{action}"


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def trimmed(body: dict, include_fields: list[str]) -> dict:
    """Only the listed (dotted) fields, as `includeFields` asks."""
    result: dict = {}
    for path in include_fields:
        head, _, rest = path.partition(".")
        if head not in body:
            continue
        value = body[head]
        if rest and isinstance(value, dict):
            value = {**result.get(head, {}), **trimmed(value, [rest])}
        elif rest and isinstance(value, list):
            value = [trimmed(item, [rest]) for item in value if isinstance(item, dict)]
        result[head] = value
    return result


class WebhookDispatcher:
    def __init__(self, store) -> None:
        self._store = store
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._log: deque[dict] = deque(maxlen=10_000)
        self._pending = 0
        self._idle = threading.Condition(self._lock)

    def _targets(self, topic: str) -> list[dict]:
        config = self._store.config
        targets = []
        if config.webhook_url and topic in config.webhook_topics:
            targets.append({"id": None, "uri": config.webhook_url, "filter": None, "include_fields": [], "name": None})
        targets += [sub for sub in self._store.webhook_subscriptions.values() if topic_of(sub["topic"]) == topic]
        return targets

    def publish(self, topic: str, render: Callable[[], dict]) -> None:
        """Render the body now (the state at the event) and queue one delivery per target."""
        targets = self._targets(topic)
        if not targets:
            return
        body = render()
        event_id = str(uuid.uuid4())
        triggered_at = graphql_datetime(now())
        config = self._store.config
        for target in targets:
            if target["filter"] and not search.matches_payload(target["filter"], body):
                continue
            payload = trimmed(body, target["include_fields"]) if target["include_fields"] else body
            raw = json.dumps(payload).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": sign(raw, config.webhook_secret),
                "X-Shopify-Shop-Domain": self._store.shop["domain"],
                "X-Shopify-API-Version": API_VERSION,
                "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                "X-Shopify-Event-Id": event_id,
                "X-Shopify-Triggered-At": triggered_at,
            }
            if target["name"]:
                headers["X-Shopify-Name"] = target["name"]
            for _ in range(2 if config.webhook_duplicates else 1):
                self._enqueue({"url": target["uri"], "topic": topic, "body": raw, "headers": headers,
                               "subscription_id": target["id"]})

    def _enqueue(self, delivery: dict) -> None:
        with self._lock:
            self._pending += 1
            if not self._threads:
                for index in range(SENDERS):
                    thread = threading.Thread(target=self._send_forever, name=f"sandbox-webhooks-{index}", daemon=True)
                    thread.start()
                    self._threads.append(thread)
        self._queue.put(delivery)

    def _send_forever(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                self._send(delivery)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._idle.notify_all()

    def _send(self, delivery: dict) -> None:
        attempts = 0
        status: int | str = "not sent"
        removed = False
        while attempts <= self._store.config.webhook_retries and not removed:
            if attempts:
                time.sleep(RETRY_PAUSE * attempts)
            attempts += 1
            try:
                status = requests.post(delivery["url"], data=delivery["body"], headers=delivery["headers"],
                                       timeout=5).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            delivered = isinstance(status, int) and 200 <= status < 300
            removed = self._count_attempt(delivery["subscription_id"], delivered)
            if delivered:
                break
        headers = delivery["headers"]
        self._log.append({
            "topic": delivery["topic"], "url": delivery["url"], "status": status, "attempts": attempts,
            "webhook_id": headers["X-Shopify-Webhook-Id"], "event_id": headers["X-Shopify-Event-Id"],
            "resource_id": json.loads(delivery["body"]).get("id"),
            "subscription_id": delivery["subscription_id"], "subscription_removed": removed,
        })

    def _count_attempt(self, subscription_id: int | None, delivered: bool) -> bool:
        """Count a subscription's failures in a row; True once it is deleted for them (or was already)."""
        if subscription_id is None:
            return False
        with self._store.lock:
            subscription = self._store.webhook_subscriptions.get(subscription_id)
            if subscription is None:
                return True
            subscription["failures_in_a_row"] = 0 if delivered else subscription.get("failures_in_a_row", 0) + 1
            limit = self._store.config.webhook_removal_failures
            if limit and subscription["failures_in_a_row"] >= limit:
                del self._store.webhook_subscriptions[subscription_id]
                return True
            return False

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every queued delivery was sent (or gave up), for tests."""
        with self._lock:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def deliveries(self) -> list[dict]:
        return list(self._log)

    def clear_log(self) -> None:
        self._log.clear()
