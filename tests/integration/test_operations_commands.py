"""The doctor and the webhook setup of a legacy custom app against the sandbox store: clear
failures naming each missing scope, idempotent setup, trimmed bodies and no delivery filter."""

import pytest
import requests

from core import keys
from devtools.processes import wait_until
from ops import doctor
from ops import webhooks as webhooks_setup
from ops.cli import publisher
from replacements.configuration import load_settings
from replacements.subscriptions import ORDER_FIELDS
from sandbox.testing import WebhookReceiver
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.scopes import REQUIRED
from tests.integration.commands import command_environment, configure

ALL_SCOPES = list(REQUIRED)

URI = "https://replacements.example.com/webhooks/shopify"


@pytest.fixture
def env(service_env, monkeypatch) -> dict:
    with command_environment(monkeypatch, service_env):
        yield service_env


def shop_lines(checks) -> list[str]:
    return [check.line() for check in checks if check.name.startswith("example.myshopify.com")]


def test_doctor_names_a_rejected_token(env):
    checks = doctor.run({**env, "SHOPIFY_ACCESS_TOKEN": "shpat_wrong"})
    assert shop_lines(checks) == [
        "FAIL example.myshopify.com token: the shop is refusing the access token: example.myshopify.com: "
        "Shopify refused the access token (401): the app was uninstalled or its token revoked; set a valid "
        "SHOPIFY_ACCESS_TOKEN -> fix: set SHOPIFY_ACCESS_TOKEN (or the shop's access_token in SHOPS_FILE) to the "
        "Admin API access token of the app installed on example.myshopify.com"]


def test_doctor_names_each_missing_scope_and_subscription_then_passes_after_setup(env, shop, capsys):
    configure(shop.url, scopes=["write_orders", "write_draft_orders", "read_products"])
    assert shop_lines(doctor.run(env)) == [
        "ok   example.myshopify.com token: accepted by Example Store",
        "FAIL example.myshopify.com scopes: missing read_inventory (stock, unit costs), read_locations "
        "(RESTOCK_LOCATION_ID checked: every Location field but its id), read_customers (the order's customer) "
        "-> fix: select "
        "them in the app's access scopes (Dev Dashboard: a new version of the app, released; or shopify.app.toml "
        "and shopify app deploy), then approve the update in the shop's admin",
        "ok   example.myshopify.com customer data: the shipping address of #1001 is readable",
        "FAIL example.myshopify.com webhooks: no subscription for ORDERS_UPDATED, REFUNDS_CREATE, ORDERS_CANCELLED "
        "-> fix: python -m ops.webhooks https://<your host>/webhooks/shopify",
    ]
    configure(shop.url, scopes=[*ALL_SCOPES, "read_all_orders"])

    assert webhooks_setup.main([URI]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "example.myshopify.com ORDERS_UPDATED: created (fields id,admin_graphql_api_id,name,tags,updated_at)",
        "example.myshopify.com REFUNDS_CREATE: created (fields id,order_id,note,refund_line_items)",
        "example.myshopify.com ORDERS_CANCELLED: created (fields id,admin_graphql_api_id)",
    ]
    assert doctor.main() == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"ok   redis: {env['REDIS_URL']} answers",
        "ok   redis persistence: appendonly yes, maxmemory-policy noeviction",
        "ok   example.myshopify.com token: accepted by Example Store",
        "ok   example.myshopify.com scopes: read_all_orders, read_customers, read_inventory, read_locations, "
        "read_products, write_draft_orders, write_orders",
        "ok   example.myshopify.com customer data: the shipping address of #1001 is readable",
        f"warn example.myshopify.com webhooks: ORDERS_UPDATED -> {URI}; REFUNDS_CREATE -> {URI}; "
        f"ORDERS_CANCELLED -> {URI}; WEBHOOK_URL is not set, so beat does not put back a subscription Shopify "
        "deletes after 8 failed deliveries -> fix: set WEBHOOK_URL to the address above",
    ]


def test_setup_twice_changes_nothing(env, shop, capsys):
    assert webhooks_setup.main([URI]) == 0
    first = shop.state()["webhook_subscriptions"]
    calls_before = len(shop.calls())
    capsys.readouterr()

    assert webhooks_setup.main([URI]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "example.myshopify.com ORDERS_UPDATED: already in place (fields id,admin_graphql_api_id,name,tags,updated_at)",
        "example.myshopify.com REFUNDS_CREATE: already in place (fields id,order_id,note,refund_line_items)",
        "example.myshopify.com ORDERS_CANCELLED: already in place (fields id,admin_graphql_api_id)",
    ]
    assert shop.state()["webhook_subscriptions"] == first
    assert [call["operation"] for call in shop.calls()[calls_before:]] == ["WebhookSubscriptions"]


def test_setup_clears_an_earlier_releases_filter_at_the_same_address_and_leaves_others_alone(env, web, shop, capsys):
    client = ShopifyClient(web.application.config["SETTINGS"].default_shop)
    for uri, subscription_filter in ((URI, "tags:needs-replacement*"), ("https://old.example.com/hooks", None)):
        client.mutate(docs.WEBHOOK_SUBSCRIPTION_CREATE, {"topic": "ORDERS_UPDATED", "webhookSubscription": {
            "uri": uri, "filter": subscription_filter}}, "webhookSubscriptionCreate")
    before = {sub["uri"]: sub for sub in shop.state()["webhook_subscriptions"]}

    assert webhooks_setup.main([URI]) == 0

    assert capsys.readouterr().out.splitlines()[0] == (
        "example.myshopify.com ORDERS_UPDATED: updated (fields id,admin_graphql_api_id,name,tags,updated_at)")
    orders_updated = {sub["uri"]: sub for sub in shop.state()["webhook_subscriptions"]
                      if sub["topic"] == "ORDERS_UPDATED"}
    assert orders_updated[URI]["id"] == before[URI]["id"]
    assert orders_updated[URI]["filter"] is None
    assert orders_updated["https://old.example.com/hooks"] == before["https://old.example.com/hooks"]


@pytest.fixture
def receiver():
    with WebhookReceiver() as endpoint:
        yield endpoint


def test_every_order_change_arrives_trimmed_to_the_fields_read(env, shop, receiver):
    assert webhooks_setup.main([receiver.url]) == 0

    shop.tag(add=["vip"])
    shop.tag(add=["needs-replacement-damaged"])

    requests.post(f"{shop.url}/_sandbox/webhooks/wait", json={"timeout": 10}, timeout=15).raise_for_status()
    bodies = [w["body"] for w in receiver.received if w["headers"]["X-Shopify-Topic"] == "orders/updated"]
    assert [sorted(body) for body in bodies] == [sorted(ORDER_FIELDS)] * 2
    assert ["needs-replacement-damaged" in body["tags"] for body in bodies] == [False, True]


@pytest.fixture
def keeper(own_service):
    """Workers of a legacy app whose subscriptions beat keeps at WEBHOOK_URL (a receiver that is down)."""
    with own_service("webhook-keeper", WEBHOOK_URL=DOWN) as service:
        yield service


DOWN = "http://127.0.0.1:9/webhooks/shopify"


def test_beat_puts_back_a_subscription_shopify_deleted_after_failed_deliveries(env, shop, keeper):
    configure(shop.url, webhook_removal_failures=2, webhook_retries=2)
    assert webhooks_setup.main([DOWN]) == 0
    shop.tag(add=["vip"])  # an orders/updated nobody receives
    requests.post(f"{shop.url}/_sandbox/webhooks/wait", json={"timeout": 10}, timeout=15).raise_for_status()
    assert "ORDERS_UPDATED" not in topics(shop)

    publisher(load_settings(keeper.env)).send_task(keys.REGISTER_WEBHOOKS)

    wait_until(lambda: topics(shop) == ["ORDERS_CANCELLED", "ORDERS_UPDATED", "REFUNDS_CREATE"], 30,
               message="the deleted subscription to be registered again")
    [orders_updated] = [sub for sub in shop.state()["webhook_subscriptions"] if sub["topic"] == "ORDERS_UPDATED"]
    assert (orders_updated["uri"], orders_updated["filter"]) == (DOWN, None)


def topics(shop) -> list[str]:
    return sorted(sub["topic"] for sub in shop.state()["webhook_subscriptions"])
