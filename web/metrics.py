"""`GET /metrics` for Prometheus, and the count of every webhook delivery by its outcome."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from web.shopify_webhooks import TOPICS, shopify_header
from worker.metrics import render
from worker.settings import HELPDESK_PROVIDERS

blueprint = Blueprint("metrics", __name__)


@blueprint.get("/metrics")
def metrics():
    return Response(render(current_app.extensions["metrics"].client), mimetype=CONTENT_TYPE_LATEST)


@blueprint.after_app_request
def count_webhook(response: Response) -> Response:
    # A 503 means the service's Redis is unreachable: the counter would wait on it too.
    if request.method == "POST" and request.path.startswith("/webhooks/") and response.status_code != 503:
        sender, topic = _sender_and_topic()
        current_app.extensions["metrics"].webhook(sender, topic, _outcome(response))
    return response


def _sender_and_topic() -> tuple[str, str]:
    """Label values come from the request, so they are bounded to known names (cardinality)."""
    if request.path == "/webhooks/shopify":
        topic = (shopify_header(request, "Topic") or "").strip().lower()
        return "shopify", topic if topic in TOPICS else "other"
    provider = (request.view_args or {}).get("provider", "")
    return (provider if provider in HELPDESK_PROVIDERS else "other"), ""


def _outcome(response: Response) -> str:
    if response.status_code == 200:
        return str((response.get_json(silent=True) or {}).get("status", "ok"))
    return f"http_{response.status_code}"
