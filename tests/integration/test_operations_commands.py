"""The doctor and the webhook setup against the sandbox store: clear failures, idempotent setup,
and a delivery filter that keeps untagged orders from being sent at all."""

import logging

import pytest
import requests

from ops import doctor
from ops import webhooks as webhooks_setup
from sandbox.testing import WebhookReceiver
from shopify import documents as docs
from shopify.client import ShopifyClient
from tests.integration.conftest import ORDER_ID

URI = "https://replacements.example.com/webhooks/shopify"


@pytest.fixture
def env(service_env, monkeypatch) -> dict:
    for key, value in service_env.items():
        monkeypatch.setenv(key, value)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield service_env
    root.handlers[:] = handlers  # the commands configure logging for their process
    root.setLevel(level)


def shop_lines(checks) -> list[str]:
    return [check.line() for check in checks if check.name.startswith("example.myshopify.com")]


def test_doctor_names_a_rejected_token(env):
    checks = doctor.run({**env, "SHOPIFY_ACCESS_TOKEN": "shpat_wrong"})
    assert shop_lines(checks) == [
        "FAIL example.myshopify.com token: Shopify answered 401 to the token -> fix: set SHOPIFY_ACCESS_TOKEN "
        "(or the shop's access_token in SHOPS_FILE) to the Admin API access token of the app installed on "
        "example.myshopify.com"]


def test_doctor_names_missing_scopes_and_subscriptions_then_passes_after_setup(env, sandbox, shop, capsys):
    requests.post(f"{sandbox.url}/_sandbox/config", json={"scopes": ["write_orders", "write_draft_orders",
                                                                     "read_products"]}, timeout=5)
    assert shop_lines(doctor.run(env)) == [
        "ok   example.myshopify.com token: accepted by Example Store",
        "FAIL example.myshopify.com scopes: missing read_inventory -> fix: add them to the app's Admin API access "
        "scopes, then approve the update in the shop's admin",
        "FAIL example.myshopify.com webhooks: no subscription for ORDERS_UPDATED, REFUNDS_CREATE, ORDERS_CANCELLED "
        "-> fix: "
        "python -m ops.webhooks https://<your host>/webhooks/shopify",
    ]
    requests.post(f"{sandbox.url}/_sandbox/config", json={"scopes": ["write_orders", "write_draft_orders",
                                                                     "read_products", "read_inventory",
                                                                     "read_all_orders"]}, timeout=5)

    assert webhooks_setup.main([URI]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "example.myshopify.com ORDERS_UPDATED: created (filter 'tags:needs-replacement*', "
        "fields id,admin_graphql_api_id,name,tags,updated_at)",
        "example.myshopify.com REFUNDS_CREATE: created (no filter, fields id,order_id,note,refund_line_items)",
        "example.myshopify.com ORDERS_CANCELLED: created (no filter, fields id,admin_graphql_api_id)",
    ]
    assert doctor.main() == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"ok   redis: {env['REDIS_URL']} answers",
        "ok   redis persistence: appendonly yes, maxmemory-policy noeviction",
        "ok   example.myshopify.com token: accepted by Example Store",
        "ok   example.myshopify.com scopes: read_all_orders, read_inventory, read_products, write_draft_orders, "
        "write_orders",
        f"ok   example.myshopify.com webhooks: ORDERS_UPDATED -> {URI}; REFUNDS_CREATE -> {URI}; "
        f"ORDERS_CANCELLED -> {URI}",
    ]


def test_setup_twice_changes_nothing(env, shop, capsys):
    assert webhooks_setup.main([URI]) == 0
    first = shop.state()["webhook_subscriptions"]
    calls_before = len(shop.calls())
    capsys.readouterr()

    assert webhooks_setup.main([URI]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "example.myshopify.com ORDERS_UPDATED: already in place (filter 'tags:needs-replacement*', "
        "fields id,admin_graphql_api_id,name,tags,updated_at)",
        "example.myshopify.com REFUNDS_CREATE: already in place (no filter, fields id,order_id,note,refund_line_items)",
        "example.myshopify.com ORDERS_CANCELLED: already in place (no filter, fields id,admin_graphql_api_id)",
    ]
    assert shop.state()["webhook_subscriptions"] == first
    assert [call["operation"] for call in shop.calls()[calls_before:]] == ["WebhookSubscriptions"]


def test_setup_updates_a_subscription_at_the_same_address_and_leaves_others_alone(env, web, shop, capsys):
    client = ShopifyClient(web.application.config["SETTINGS"].default_shop)
    for uri, subscription_filter in ((URI, "tags:old-tag"), ("https://old.example.com/hooks", None)):
        client.mutate(docs.WEBHOOK_SUBSCRIPTION_CREATE, {"topic": "ORDERS_UPDATED", "webhookSubscription": {
            "uri": uri, "filter": subscription_filter}}, "webhookSubscriptionCreate")
    before = {sub["uri"]: sub for sub in shop.state()["webhook_subscriptions"]}

    assert webhooks_setup.main([URI]) == 0

    assert capsys.readouterr().out.splitlines()[0] == (
        "example.myshopify.com ORDERS_UPDATED: updated (filter 'tags:needs-replacement*', "
        "fields id,admin_graphql_api_id,name,tags,updated_at)")
    orders_updated = {sub["uri"]: sub for sub in shop.state()["webhook_subscriptions"]
                      if sub["topic"] == "ORDERS_UPDATED"}
    assert orders_updated[URI]["id"] == before[URI]["id"]
    assert orders_updated[URI]["filter"] == "tags:needs-replacement*"
    assert orders_updated["https://old.example.com/hooks"] == before["https://old.example.com/hooks"]


@pytest.fixture
def receiver():
    with WebhookReceiver() as endpoint:
        yield endpoint


def test_the_filter_sends_only_tagged_orders_with_only_the_fields_read(env, shop, receiver):
    assert webhooks_setup.main([receiver.url]) == 0

    shop.tag(add=["vip"])
    shop.tag(add=["needs-replacement-damaged"])

    requests.post(f"{shop.url}/_sandbox/webhooks/wait", json={"timeout": 10}, timeout=15).raise_for_status()
    [body] = [w["body"] for w in receiver.received if w["headers"]["X-Shopify-Topic"] == "orders/updated"]
    assert body == {"id": ORDER_ID, "admin_graphql_api_id": f"gid://shopify/Order/{ORDER_ID}", "name": "#1001",
                    "tags": body["tags"], "updated_at": body["updated_at"]}
    assert "needs-replacement-damaged" in body["tags"]
