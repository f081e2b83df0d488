"""`GET /metrics` counts every webhook by sender, topic and outcome, with bounded label values."""

import json

import fakeredis
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.payloads import shopify_headers, tagged_order
from web import create_app


@pytest.fixture
def app(settings):
    return create_app(settings, redis_client=fakeredis.FakeRedis())


def post(app, body: bytes, **headers):
    return app.test_client().post("/webhooks/shopify", data=body, headers=shopify_headers(body, **headers))


def webhook_counts(app) -> dict:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    return {(s.labels["sender"], s.labels["topic"], s.labels["outcome"]): s.value
            for s in families["replacement_webhooks_received"].samples if s.name.endswith("_total")}


def test_webhook_outcomes_are_counted(app):
    body = json.dumps(tagged_order("needs-replacement")).encode()
    post(app, body)
    post(app, body)
    post(app, json.dumps(tagged_order()).encode(), webhook_id="wh-2", event_id="ev-2")
    post(app, body, **{"X-Shopify-Hmac-Sha256": "forged"})
    post(app, body, topic="products/create", webhook_id="wh-3")
    assert webhook_counts(app) == {
        ("shopify", "orders/updated", "queued"): 1,
        ("shopify", "orders/updated", "duplicate"): 1,
        ("shopify", "orders/updated", "ignored"): 1,
        ("shopify", "orders/updated", "http_401"): 1,
        ("shopify", "other", "ignored"): 1,
    }


def test_queue_depth_is_exposed(app):
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert "replacement_queue_depth 0.0" in text
