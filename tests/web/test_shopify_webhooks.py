"""The Shopify receiver in-process: signature, shop, body, dedupe, enqueue, answers."""

import hashlib
import json

import fakeredis
import pytest

from tests.payloads import shopify_headers, tagged_order
from web import create_app

TASK = "worker.tasks.handle_event"


@pytest.fixture
def server():
    return fakeredis.FakeServer()


@pytest.fixture
def app(settings, server):
    return create_app(settings, redis_client=fakeredis.FakeRedis(server=server))



def post(app, order: dict | bytes, **header_overrides):
    body = order if isinstance(order, bytes) else json.dumps(order).encode()
    headers = shopify_headers(body, **header_overrides)
    return app.test_client().post("/webhooks/shopify", data=body, headers=headers)


def test_tagged_order_is_queued_once_with_a_small_signal(app, queued):
    response = post(app, tagged_order("needs-replacement"))

    assert response.status_code == 200
    assert response.json == {"status": "queued"}
    queued.assert_called_once_with(TASK, args=[{
        "source": "admin_tag", "source_label": "admin tag", "order": "gid://shopify/Order/450789469",
        "updated_at": "2025-04-02T11:31:21-05:00", "shop": "example.myshopify.com"}])


def test_a_reason_tag_queues_the_same_event_the_worker_reads_the_reason_from_the_order(app, queued):
    assert post(app, tagged_order("needs-replacement-lost")).json == {"status": "queued"}
    event, = queued.call_args.kwargs["args"]
    assert event == {"source": "admin_tag", "source_label": "admin tag", "order": "gid://shopify/Order/450789469",
                     "updated_at": "2025-04-02T11:31:21-05:00", "shop": "example.myshopify.com"}


def test_same_delivery_or_same_event_again_is_a_duplicate(app, queued):
    order = tagged_order("needs-replacement")
    assert post(app, order).json == {"status": "queued"}
    assert post(app, order).json == {"status": "duplicate"}
    assert post(app, order, webhook_id="wh-2").json == {"status": "duplicate"}
    changed = {**order, "updated_at": "2025-04-02T11:31:22-05:00"}
    assert post(app, changed, webhook_id="wh-3", event_id="ev-3").json == {"status": "queued"}
    assert queued.call_count == 2


# Replays: Shopify signs the body but not X-Shopify-Webhook-Id, -Event-Id or -Topic. One captured
# body sent 200 times under new ids queued 200 tasks (3,800 API points of order reads).

def test_a_body_replayed_under_new_ids_is_a_duplicate_that_queues_nothing(app, queued):
    order = tagged_order("needs-replacement")
    answers = [post(app, order, webhook_id=f"wh-{n}", event_id=f"ev-{n}").json["status"] for n in range(200)]
    assert answers == ["queued"] + ["duplicate"] * 199
    queued.assert_called_once()
    assert post(app, order, webhook_id="wh-new", event_id=None).json == {"status": "duplicate"}


def test_the_body_mark_lives_as_long_as_the_delivery_marks(app, server, settings):
    body = json.dumps(tagged_order("needs-replacement")).encode()
    app.test_client().post("/webhooks/shopify", data=body, headers=shopify_headers(body))
    client = fakeredis.FakeRedis(server=server)
    mark = f"rw:seen:shopify-body:example.myshopify.com:orders/updated:{hashlib.sha256(body).hexdigest()}"
    delivery = "rw:seen:shopify:example.myshopify.com:webhook:wh-1"
    assert client.ttl(mark) == settings.dedupe_hours * 3600 == client.ttl(delivery)


def test_a_body_replayed_under_another_topic_is_that_topic_s_own_once(app, queued):
    """A subscription made by hand sends a cancelled order's whole body to orders/updated and
    orders/cancelled alike: both are acted on, so the mark is per topic (the worker reads the
    order again before it deletes anything)."""
    order = tagged_order("needs-replacement")
    assert post(app, order).json == {"status": "queued"}
    assert post(app, order, topic="orders/cancelled", webhook_id="wh-2", event_id="ev-2").json == {"status": "queued"}
    assert post(app, order, topic="orders/cancelled", webhook_id="wh-3", event_id="ev-3").json == {
        "status": "duplicate"}
    assert [call.args[0] for call in queued.call_args_list] == [
        "worker.tasks.handle_event", "worker.tasks.handle_cancelled"]


def test_an_ignored_body_leaves_no_mark(app, server):
    post(app, tagged_order())
    assert fakeredis.FakeRedis(server=server).keys("rw:seen:*") == []


def test_a_body_queued_while_redis_was_down_is_not_marked(app, queued, server):
    server.connected = False
    assert post(app, tagged_order("needs-replacement")).status_code == 503
    server.connected = True
    assert post(app, tagged_order("needs-replacement"), webhook_id="wh-retry").json == {"status": "queued"}


def test_order_without_trigger_tag_is_ignored_with_a_reason(app, queued):
    response = post(app, tagged_order("replacement-issued"))
    assert response.status_code == 200
    assert response.json == {"status": "ignored", "reason": "order has no needs-replacement tag"}
    queued.assert_not_called()


def test_unhandled_topic_is_ignored(app, queued):
    response = post(app, tagged_order("needs-replacement"), topic="products/update")
    assert response.json == {"status": "ignored", "reason": "topic products/update is not handled"}


def test_rotated_secrets_are_both_accepted(app, queued):
    assert post(app, tagged_order("needs-replacement"), secret="old_secret").status_code == 200


def test_lowercase_shopify_header_spelling_is_accepted(app, queued):
    body = json.dumps(tagged_order("needs-replacement")).encode()
    headers = {f"shopify-{k[len('X-Shopify-'):].lower()}" if k.startswith("X-Shopify-") else k: v
               for k, v in shopify_headers(body).items()}
    response = app.test_client().post("/webhooks/shopify", data=body, headers=headers)
    assert response.json == {"status": "queued"}


@pytest.mark.parametrize("overrides", [
    {"secret": "wrong"},
    {"X-Shopify-Hmac-Sha256": None},
    {"X-Shopify-Hmac-Sha256": "not base64 at all"},
])
def test_bad_or_missing_signature_is_401_and_nothing_is_queued(app, queued, overrides):
    response = post(app, tagged_order("needs-replacement"), **overrides)
    assert response.status_code == 401
    assert response.json == {"status": "error", "error": "missing or bad signature"}
    queued.assert_not_called()


def test_tampered_body_is_401(app, queued):
    body = json.dumps(tagged_order("needs-replacement")).encode()
    headers = shopify_headers(body)
    response = app.test_client().post("/webhooks/shopify", data=body.replace(b"1001", b"1002"), headers=headers)
    assert response.status_code == 401


def test_unconfigured_shop_is_403_only_with_a_valid_signature(app, queued):
    assert post(app, tagged_order("needs-replacement"), shop="other.myshopify.com").status_code == 403
    assert post(app, tagged_order("needs-replacement"), shop="other.myshopify.com",
                secret="guess").status_code == 401


def test_body_that_is_not_json_is_400(app, queued):
    response = post(app, b"{not json")
    assert response.status_code == 400
    assert response.json == {"status": "error", "error": "body is not JSON"}


TOPICS = ("orders/updated", "refunds/create", "orders/cancelled", "customers/data_request", "customers/redact",
          "shop/redact")


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("body", [
    pytest.param(b'{"id": 450789469, "name": "#1001", "tags": "needs-replacement \xff"}', id="invalid-utf-8"),
    pytest.param(b'{"id": 1, "name": "\xc3", "tags": ""}', id="truncated-utf-8"),
    pytest.param(b"[" * 450_000 + b"]" * 450_000, id="450000-deep"),
    pytest.param(b'{"id": 1, "name": "#1", "tags": "", "x": ' + b"[" * 450_000 + b"]" * 450_000 + b"}",
                 id="450000-deep-in-a-field-not-read"),
])
def test_a_signed_body_that_is_not_json_is_400_on_every_topic(app, queued, topic, body):
    response = post(app, body, topic=topic)
    assert response.status_code == 400
    assert response.json == {"status": "error", "error": "body is not JSON"}
    queued.assert_not_called()


def test_json_failing_validation_is_422_with_the_fields(app, queued):
    response = post(app, {"id": "abc", "tags": 5})
    assert response.status_code == 422
    assert response.json["fields"] == {"id": ["Not a valid integer."], "name": ["Missing data for required field."],
                                       "tags": ["Not a valid string."]}


def test_body_over_the_limit_is_413(app, queued):
    order = tagged_order("needs-replacement")
    order["note"] = "x" * 1_100_000
    response = post(app, order)
    assert response.status_code == 413
    queued.assert_not_called()


def test_unreachable_redis_is_503_and_the_retry_goes_through(app, queued, server):
    server.connected = False
    response = post(app, tagged_order("needs-replacement"))
    assert response.status_code == 503
    assert response.json == {"status": "error", "error": "queue unreachable, retry later"}
    server.connected = True
    queued.assert_not_called()
    assert post(app, tagged_order("needs-replacement")).json == {"status": "queued"}
    queued.assert_called_once()


def test_health_and_readiness(app, server):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    server.connected = False
    assert client.get("/readyz").status_code == 503
