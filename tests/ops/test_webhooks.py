"""`python -m ops.webhooks` is for legacy custom apps: a Dev Dashboard app's subscriptions come from
shopify.app.toml, and both together would deliver every event twice."""

import pytest

import ops.webhooks
from shopify import documents as docs
from tests.canned_shopify import CannedShopify
from tests.payloads import SHOP

URI = "https://replacements.example.com/webhooks/shopify"
LEGACY = {"SHOPIFY_SHOP": SHOP, "SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_WEBHOOK_SECRET": "s",
          "REDIS_URL": "redis://127.0.0.1:9/0"}
DEV_DASHBOARD = {**LEGACY, "SHOPIFY_ACCESS_TOKEN": "", "SHOPIFY_CLIENT_ID": "cid", "SHOPIFY_CLIENT_SECRET": "shpss_x"}
REFUSED = (f"{SHOP}: not registered: a Dev Dashboard app (SHOPIFY_CLIENT_ID) gets its subscriptions from "
           "shopify.app.toml (shopify app deploy); these would deliver every event twice (--force registers them "
           "anyway)")


@pytest.fixture
def shopify(monkeypatch) -> CannedShopify:
    created = {"webhookSubscriptionCreate": {"webhookSubscription": {}, "userErrors": []}}
    canned = CannedShopify({
        docs.WEBHOOK_SUBSCRIPTIONS: {"webhookSubscriptions": {"nodes": [], "pageInfo": {"hasNextPage": False,
                                                                                       "endCursor": None}}},
        docs.WEBHOOK_SUBSCRIPTION_CREATE: created})
    monkeypatch.setattr(ops.webhooks, "shopify_client", lambda settings, shop: canned)
    return canned


def environment(monkeypatch, env: dict) -> None:
    for key in {*LEGACY, *DEV_DASHBOARD, "WEBHOOK_URL"}:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        if value:
            monkeypatch.setenv(key, value)


def test_a_dev_dashboard_app_is_refused_in_one_line_and_nothing_is_sent(monkeypatch, shopify, capsys):
    environment(monkeypatch, DEV_DASHBOARD)
    assert ops.webhooks.main([URI]) == 2
    assert capsys.readouterr().out.splitlines() == [REFUSED]
    assert shopify.sent == []


def test_forced_it_registers_all_the_same(monkeypatch, shopify, capsys):
    environment(monkeypatch, DEV_DASHBOARD)
    assert ops.webhooks.main([URI, "--force"]) == 0
    assert [variables["topic"] for document, variables in shopify.sent
            if document == docs.WEBHOOK_SUBSCRIPTION_CREATE] == ["ORDERS_UPDATED", "REFUNDS_CREATE", "ORDERS_CANCELLED"]


def test_a_legacy_app_registers_at_webhook_url_without_a_delivery_filter(monkeypatch, shopify, capsys):
    environment(monkeypatch, {**LEGACY, "WEBHOOK_URL": URI})
    assert ops.webhooks.main([]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{SHOP} ORDERS_UPDATED: created (fields id,admin_graphql_api_id,name,tags,updated_at)",
        f"{SHOP} REFUNDS_CREATE: created (fields id,order_id,note,refund_line_items)",
        f"{SHOP} ORDERS_CANCELLED: created (fields id,admin_graphql_api_id)",
    ]
    [orders_updated, *_] = [variables for document, variables in shopify.sent
                            if document == docs.WEBHOOK_SUBSCRIPTION_CREATE]
    assert orders_updated["webhookSubscription"] == {
        "uri": URI, "format": "JSON", "filter": None,
        "includeFields": ["id", "admin_graphql_api_id", "name", "tags", "updated_at"]}


def test_without_an_address_it_says_where_to_give_one(monkeypatch, shopify, capsys):
    environment(monkeypatch, LEGACY)
    with pytest.raises(SystemExit):
        ops.webhooks.main([])
    assert capsys.readouterr().err.splitlines()[-1].endswith(
        "give the address of POST /webhooks/shopify, or set WEBHOOK_URL")
