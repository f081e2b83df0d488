"""Reconciliation finds what webhooks missed with exact tag terms and by refunds' creation since the
last run; beat puts back a legacy app's subscriptions. The tasks run on create_celery's app over a
fake Redis, with canned Shopify answers; the events they queue are recorded."""

from datetime import UTC, datetime, timedelta

import pytest
from celery.contrib.testing.app import setup_default_app

import worker.tasks
from core import keys
from core.metrics import Metrics
from core.store import State
from shopify import documents as docs
from shopify.errors import ShopUnavailable
from tests.canned_shopify import CannedShopify
from tests.conftest import make_settings
from tests.payloads import SHOP
from worker.app import celery_config, create_celery
from worker.reconciliation import refund_events, trigger_tag_query

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
NO_MORE = {"hasNextPage": False, "endCursor": None}


def page(nodes: list[dict]) -> dict:
    return {"orders": {"nodes": nodes, "pageInfo": NO_MORE}}


def refund(refund_id: int, note: str | None, created: datetime) -> dict:
    return {"id": f"gid://shopify/Refund/{refund_id}", "note": note,
            "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ")}


def refund_lines(refund_id: int, note: str) -> dict:
    return {"refund": {"id": f"gid://shopify/Refund/{refund_id}", "note": note,
                       "order": {"id": "gid://shopify/Order/450789469"},
                       "refundLineItems": {"nodes": [{"quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/1"}},
                                                     {"quantity": 2, "lineItem": {"id": "gid://shopify/LineItem/2"}}]}}}


class Refunds(CannedShopify):
    """RefundLines answers per refund id."""

    def query(self, document, variables=None):
        if document == docs.REFUND_LINES:
            self.sent.append((document, variables))
            return self.answers[document][variables["id"]]
        return super().query(document, variables)


def test_the_trigger_tag_is_searched_as_exact_terms_for_each_reason_and_separator():
    assert trigger_tag_query("needs-replacement", ("lost", "wrong-item")) == (
        'tag:"needs-replacement" OR tag:"needs-replacement:lost" OR tag:"needs-replacement-lost" '
        'OR tag:"needs-replacement:wrong-item" OR tag:"needs-replacement-wrong-item"')
    assert "*" not in trigger_tag_query("needs-replacement", make_settings().reasons)


def test_refunds_since_the_last_run_asking_for_a_replacement_and_not_yet_known_become_events():
    since = NOW - timedelta(minutes=30)
    shopify = Refunds({
        docs.RECENT_REFUNDS: page([
            {"refunds": [refund(1, "old one, replace", since - timedelta(seconds=1)),
                         refund(2, "Arrived broken, replace please", since)]},
            {"refunds": [refund(3, "no keyword", NOW), refund(4, "Restocked with request replace-1", NOW),
                         refund(5, "replace: its webhook came", NOW)]},
        ]),
        docs.REFUND_LINES: {"gid://shopify/Refund/2": refund_lines(2, "Arrived broken, replace please")},
    })

    events = list(refund_events(shopify, make_settings(), since, known=lambda request_id: request_id == "refund-5"))

    assert events == [{
        "source": "refund", "source_label": "refund 2", "request_id": "refund-2",
        "order": "gid://shopify/Order/450789469", "reason": "Arrived broken, replace please",
        "lines": [{"line_item_id": 1, "quantity": 1}, {"line_item_id": 2, "quantity": 2}]}]
    assert shopify.sent[0] == (docs.RECENT_REFUNDS, {"query": "updated_at:>='2026-12-04T11:30:00Z'", "after": None})
    assert [variables for document, variables in shopify.sent if document == docs.REFUND_LINES] == [
        {"id": "gid://shopify/Refund/2"}]


@pytest.fixture
def app(redis_client):
    app = create_celery(make_settings())
    app.services.state = State(redis_client)
    app.services.metrics = Metrics(redis_client)
    with setup_default_app(app):
        yield app


class Queued:
    def __init__(self):
        self.events = []
        self.priorities = set()

    def apply_async(self, args, priority=None):
        self.events.extend(args)
        self.priorities.add(priority)


@pytest.fixture
def queued(monkeypatch) -> Queued:
    recorder = Queued()
    monkeypatch.setattr(worker.tasks, "handle_event", recorder)
    return recorder


def shop_answers(refunds: list[dict] = ()) -> Refunds:
    return Refunds({
        docs.ORDERS_TAGGED: page([{"id": "gid://shopify/Order/1", "updatedAt": "2026-12-04T11:59:00Z"}]),
        docs.RECENT_REFUNDS: page([{"refunds": list(refunds)}] if refunds else []),
        docs.REFUND_LINES: {"gid://shopify/Refund/9": refund_lines(9, "replace")},
    })


def test_reconcile_queues_tagged_orders_and_lost_refunds_and_remembers_when_it_read(app, queued, monkeypatch,
                                                                                     redis_client):
    shopify = shop_answers([refund(9, "replace", datetime.now(UTC))])
    monkeypatch.setattr(app.services, "client_for", lambda domain: shopify)

    assert app.tasks[keys.RECONCILE].apply().result == {"tagged_orders": 1, "refunds": 1, "stuck_requests": 0}

    assert [(e["source"], e.get("request_id"), e["order"]) for e in queued.events] == [
        ("reconcile", None, "gid://shopify/Order/1"), ("refund", "refund-9", "gid://shopify/Order/450789469")]
    assert all(event["shop"] == SHOP for event in queued.events)
    assert queued.priorities == {keys.LOW_PRIORITY}  # behind every shop's fresh work
    first = float(redis_client.get(keys.reconciled(SHOP)))
    # The first run reads twice RECONCILE_MINUTES back; the next from the last run, less the overlap.
    [since] = [v["query"] for d, v in shopify.sent if d == docs.RECENT_REFUNDS]
    assert abs(_read_from(since) - (first - 2 * 15 * 60)) < 2

    shopify.sent.clear()
    app.tasks[keys.RECONCILE].apply()
    [since] = [v["query"] for d, v in shopify.sent if d == docs.RECENT_REFUNDS]
    assert abs(_read_from(since) - (first - worker.tasks.REFUND_OVERLAP.total_seconds())) < 2


def _read_from(query: str) -> float:
    return datetime.fromisoformat(query.split("'")[1].replace("Z", "+00:00")).timestamp()


class Unavailable:
    def query(self, document, variables=None):
        raise ShopUnavailable("Locked", reason="locked", shop=SHOP, status=423)


def test_a_shop_shopify_does_not_answer_for_is_left_to_the_next_run(app, queued, monkeypatch, redis_client):
    monkeypatch.setattr(app.services, "client_for", lambda domain: Unavailable())

    result = app.tasks[keys.RECONCILE].apply()

    assert (result.state, result.result) == ("SUCCESS", {"tagged_orders": 0, "refunds": 0, "stuck_requests": 0})
    assert redis_client.get(keys.reconciled(SHOP)) is None


def test_beat_re_registers_subscriptions_only_with_webhook_url():
    assert "register_webhooks" not in celery_config(make_settings())["beat_schedule"]
    schedule = celery_config(make_settings(WEBHOOK_URL="https://x.example/webhooks/shopify"))["beat_schedule"]
    assert schedule["register_webhooks"] == {"task": keys.REGISTER_WEBHOOKS, "schedule": 15 * 60.0}


def test_register_webhooks_puts_back_a_legacy_apps_deleted_subscription(redis_client, monkeypatch):
    uri = "https://x.example/webhooks/shopify"
    app = create_celery(make_settings(WEBHOOK_URL=uri))
    app.services.state = State(redis_client)
    kept = [{"id": f"gid://shopify/WebhookSubscription/{n}", "topic": topic, "uri": uri, "filter": None,
             "includeFields": list(fields)}
            for n, (topic, fields) in enumerate([("ORDERS_UPDATED", ["id", "admin_graphql_api_id", "name", "tags",
                                                                      "updated_at"]),
                                                 ("ORDERS_CANCELLED", ["id", "admin_graphql_api_id"])])]
    shopify = CannedShopify({
        docs.WEBHOOK_SUBSCRIPTIONS: {"webhookSubscriptions": {"nodes": kept, "pageInfo": NO_MORE}},
        docs.WEBHOOK_SUBSCRIPTION_CREATE: {"webhookSubscriptionCreate": {"webhookSubscription": {}, "userErrors": []}},
    })
    monkeypatch.setattr(app.services, "client_for", lambda domain: shopify)
    with setup_default_app(app):
        result = app.tasks[keys.REGISTER_WEBHOOKS].apply().result

    assert result == {SHOP: {"ORDERS_UPDATED": "keep", "REFUNDS_CREATE": "create", "ORDERS_CANCELLED": "keep"}}
    assert [variables["topic"] for document, variables in shopify.sent
            if document == docs.WEBHOOK_SUBSCRIPTION_CREATE] == ["REFUNDS_CREATE"]


def test_register_webhooks_leaves_a_dev_dashboard_apps_shop_alone(redis_client, monkeypatch):
    app = create_celery(make_settings(WEBHOOK_URL="https://x.example/webhooks/shopify", SHOPIFY_ACCESS_TOKEN="",
                                      SHOPIFY_CLIENT_ID="cid", SHOPIFY_CLIENT_SECRET="shpss_x"))
    monkeypatch.setattr(app.services, "client_for", lambda domain: pytest.fail("no Shopify call"))
    with setup_default_app(app):
        assert app.tasks[keys.REGISTER_WEBHOOKS].apply().result == {}
