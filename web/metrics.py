"""`GET /metrics` for Prometheus, and the count of every webhook delivery by its outcome."""

from __future__ import annotations

import atexit
import threading
from collections import Counter

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST

from core.metrics import Metrics, render
from web.helpdesks import RECEIVERS
from web.shopify_webhooks import TOPICS, topic_of

blueprint = Blueprint("metrics", __name__)


class WebhookTally:
    """Webhook counts kept in the process and written to Redis together, within a second of the
    first one: a round trip to Redis per delivery was the largest cost of an ignored webhook."""

    def __init__(self, metrics: Metrics, interval: float = 1.0):
        self.metrics = metrics
        self.interval = interval
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        atexit.register(self.flush)

    def add(self, sender: str, topic: str, outcome: str) -> None:
        with self._lock:
            self._counts[(sender, topic, outcome)] += 1
            if self._timer is None:
                self._timer = threading.Timer(self.interval, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if counts:
            self.metrics.webhooks(counts)


@blueprint.get("/metrics")
def metrics():
    current_app.extensions["webhook_tally"].flush()
    return Response(render(current_app.extensions["metrics"].client), mimetype=CONTENT_TYPE_LATEST)


@blueprint.after_app_request
def count_webhook(response: Response) -> Response:
    # A 503 means the service's Redis is unreachable: the counter would wait on it too.
    if request.method == "POST" and request.path.startswith("/webhooks/") and response.status_code != 503:
        sender, topic = _sender_and_topic()
        current_app.extensions["webhook_tally"].add(sender, topic, _outcome(response))
    return response


def _sender_and_topic() -> tuple[str, str]:
    """Label values come from the request, so they are bounded to known names (cardinality)."""
    if request.path == "/webhooks/shopify":
        topic = topic_of(request)
        return "shopify", topic if topic in TOPICS else "other"
    provider = (request.view_args or {}).get("provider", "")
    return (provider if provider in RECEIVERS else "other"), ""


def _outcome(response: Response) -> str:
    if response.status_code == 200:
        return g.get("webhook_status", "ok")  # set by the receiver: re-reading the answer cost a JSON parse
    return f"http_{response.status_code}"
