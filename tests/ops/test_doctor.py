"""The doctor says, one line per check, what is wrong and how to fix it."""

import json
import time

import pytest

from core import keys
from ops.doctor import persistence_check, redis_checks, run, shop_checks
from shopify import documents as docs
from shopify.errors import RetryableShopifyError, ShopUnavailable
from tests.canned_shopify import CannedShopify
from tests.conftest import make_settings

ENV = {"SHOPIFY_SHOP": "example.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_WEBHOOK_SECRET": "s",
       "REDIS_URL": "redis://127.0.0.1:9/0"}
SETTINGS_FIX = "set it in the environment (README, Configuration) and run the doctor again"


@pytest.mark.parametrize(("change", "detail"), [
    ({"SHOPIFY_SHOP": ""}, "SHOPIFY_SHOP is not set"),
    ({"SHOPIFY_SHOP": "example.com"},
     "SHOPIFY_SHOP must look like example.myshopify.com (got 'example.com')"),
    ({"SHOPIFY_ACCESS_TOKEN": ""}, "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET are not set (the Dev Dashboard "
                                   "app's credentials; SHOPIFY_ACCESS_TOKEN for a legacy custom app)"),
    ({"SHOPIFY_ACCESS_TOKEN": "", "SHOPIFY_CLIENT_ID": "cid"},
     "SHOPIFY_CLIENT_SECRET is not set (a Dev Dashboard app needs its client ID and secret)"),
    ({"SHOPIFY_WEBHOOK_SECRET": " , "}, "SHOPIFY_WEBHOOK_SECRET is not set"),
    ({"REDIS_URL": ""}, "REDIS_URL is not set: the service needs one Redis shared by every process "
                        "(bin/serve starts an embedded one for development)"),
    ({"SHOPIFY_ADMIN_URL": "ftp://x"}, "SHOPIFY_ADMIN_URL must be an http(s) URL (got 'ftp://x')"),
    ({"REPLACEMENT_MODE": "auto"}, "REPLACEMENT_MODE must be one of complete, draft (got 'auto')"),
    ({"RESERVE_HOURS": "soon"}, "RESERVE_HOURS must be a whole number (got 'soon')"),
    ({"REPLACEMENT_MAX_VALUE": "lots"}, "REPLACEMENT_MAX_VALUE must be an amount like 150.00 (got 'lots')"),
    ({"REPLACEMENT_TAG": "needs replacement"},
     "REPLACEMENT_TAG must be a tag of letters, digits, '-', '_', ':' or '.' (got 'needs replacement')"),
    ({"SHOPS_FILE": "/nonexistent/shops.json"}, None),
])
def test_each_broken_setting_is_one_failed_line_naming_it(change, detail):
    env = {k: v for k, v in {**ENV, **change}.items() if v}
    [check] = run(env)
    assert (check.name, check.status, check.fix) == ("settings", "FAIL", SETTINGS_FIX)
    if detail:
        assert check.detail == detail
    else:
        assert check.detail.startswith("SHOPS_FILE '/nonexistent/shops.json' cannot be read as JSON")
    assert check.line() == f"FAIL settings: {check.detail} -> fix: {SETTINGS_FIX}"


def test_unreachable_redis_names_the_url_without_its_password():
    [check] = redis_checks("redis://:hunter2@127.0.0.1:9/0")
    assert check.line() == ("FAIL redis: cannot reach redis://:***@127.0.0.1:9/0 (ConnectionError) -> fix: "
                            "start Redis, or set REDIS_URL to a reachable server (redis://host:6379/0)")


def test_redis_that_may_evict_fails_and_one_without_aof_warns():
    assert persistence_check({"appendonly": "yes", "maxmemory-policy": "allkeys-lru"}).line() == (
        "FAIL redis persistence: maxmemory-policy is allkeys-lru: Redis may evict queued tasks and request state "
        "-> fix: set maxmemory-policy noeviction")
    assert persistence_check({"appendonly": "no", "maxmemory-policy": "noeviction"}).status == "warn"
    assert persistence_check({}).status == "warn"
    assert persistence_check({"appendonly": "yes", "maxmemory-policy": "noeviction"}).status == "ok"


SHOP = "example.myshopify.com"
ALL_SCOPES = ["write_orders", "write_draft_orders", "read_products", "read_inventory", "read_locations",
              "read_customers", "read_all_orders"]
URI = "https://replacements.example.com/webhooks/shopify"
WANTED_SUBSCRIPTIONS = [
    {"id": "1", "topic": "ORDERS_UPDATED", "uri": URI, "filter": None,
     "includeFields": ["id", "admin_graphql_api_id", "name", "tags", "updated_at"]},
    {"id": "2", "topic": "REFUNDS_CREATE", "uri": URI, "filter": None,
     "includeFields": ["id", "order_id", "note", "refund_line_items"]},
    {"id": "3", "topic": "ORDERS_CANCELLED", "uri": URI, "filter": None,
     "includeFields": ["admin_graphql_api_id", "id"]},  # any order: Shopify may reorder them
]
ADDRESSED = {"name": "#1001", "requiresShipping": True, "shippingAddress": {"address1": "Chestnut Street 92"}}


class Unavailable(CannedShopify):
    def query(self, document, variables=None):
        raise self.answers[document]


def shopify(granted=ALL_SCOPES, orders=(ADDRESSED,), subscriptions=WANTED_SUBSCRIPTIONS) -> CannedShopify:
    return CannedShopify({
        docs.ACCESS_SCOPES: {"shop": {"name": "Example Store"},
                             "currentAppInstallation": {"accessScopes": [{"handle": s} for s in granted]}},
        docs.RECENT_SHIPPING_ADDRESSES: {"orders": {"nodes": list(orders)}},
        docs.WEBHOOK_SUBSCRIPTIONS: {"webhookSubscriptions": {"nodes": list(subscriptions),
                                                              "pageInfo": {"hasNextPage": False, "endCursor": None}}},
    })


def lines(client, redis_client, **settings) -> list[str]:
    configured = make_settings(**{"WEBHOOK_URL": URI, **settings})
    return [check.line() for check in shop_checks(configured, configured.default_shop, client, redis_client)]


def test_a_healthy_legacy_shop(redis_client):
    assert lines(shopify(), redis_client) == [
        f"ok   {SHOP} token: accepted by Example Store",
        f"ok   {SHOP} scopes: {', '.join(sorted(ALL_SCOPES))}",
        f"ok   {SHOP} customer data: the shipping address of #1001 is readable",
        f"ok   {SHOP} webhooks: ORDERS_UPDATED -> {URI}; REFUNDS_CREATE -> {URI}; ORDERS_CANCELLED -> {URI}",
    ]


def test_each_missing_scope_is_named_with_what_it_is_for(redis_client):
    [_, scopes, *_] = lines(shopify(granted=["write_orders", "write_draft_orders", "read_products",
                                             "write_inventory"]), redis_client)
    assert scopes == (
        f"FAIL {SHOP} scopes: missing read_locations (RESTOCK_LOCATION_ID checked: every Location field but its id), "
        "read_customers (the order's customer) -> fix: select them in the app's access scopes (Dev Dashboard: a new "
        "version of the app, released; or shopify.app.toml and shopify app deploy), then approve the update in the "
        "shop's admin")


def test_without_read_all_orders_a_warning(redis_client):
    [_, scopes, *_] = lines(shopify(granted=ALL_SCOPES[:-1]), redis_client)
    assert scopes == (f"warn {SHOP} scopes: read_all_orders not granted: orders older than 60 days cannot be "
                      "replaced -> fix: add it to the app's access scopes if such orders need replacing")


PROTECTED_FIX = ("select the protected customer data fields name, email, phone, address for the app (Dev Dashboard: "
                 "the app version's protected customer data), release it and approve the update")


def test_addresses_read_as_null_fail_naming_protected_customer_data(redis_client):
    unaddressed = [{**ADDRESSED, "shippingAddress": None}, {**ADDRESSED, "name": "#1002", "shippingAddress": None},
                   {"name": "#1003", "requiresShipping": False, "shippingAddress": None}]
    assert lines(shopify(orders=unaddressed), redis_client)[2] == (
        f"FAIL {SHOP} customer data: the shipping address of #1001, #1002 reads as null: without protected "
        f"customer data a replacement has nowhere to ship -> fix: {PROTECTED_FIX}")
    assert lines(shopify(orders=unaddressed[2:]), redis_client)[2] == (
        f"warn {SHOP} customer data: no recent order ships anything: cannot tell whether shipping addresses are "
        "readable -> fix: run the doctor again once an order that ships is in the shop")


@pytest.mark.parametrize(("reason", "what", "fix"), [
    ("auth", "refusing the app's credentials",
     "set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (or the shop's client_id and client_secret in SHOPS_FILE) to "
     f"those of the app in the Dev Dashboard (Settings), installed on {SHOP}"),
    ("locked", "locked (HTTP 423)", "nothing to change here: Shopify locked the shop; its work resumes by itself "
                                    "when Shopify unlocks it (ask Shopify support if it lasts)"),
    ("frozen", "frozen (HTTP 402)", "the merchant pays the shop's outstanding bill (admin, Settings > Billing); "
                                    "its work resumes by itself"),
])
def test_a_shop_the_workers_paused_fails_naming_the_reason(redis_client, reason, what, fix):
    redis_client.set(keys.paused(SHOP), json.dumps({"reason": reason, "error": "as Shopify said", "at": 0}))
    error = ShopUnavailable(f"{SHOP}: as Shopify said now", reason=reason, shop=SHOP)
    client = Unavailable({docs.ACCESS_SCOPES: error})

    assert lines(client, redis_client, SHOPIFY_CLIENT_ID="cid", SHOPIFY_CLIENT_SECRET="shpss_x",
                 SHOPIFY_ACCESS_TOKEN="") == [
        f"FAIL {SHOP} paused: the workers found the shop {what} at 00:00:00 UTC and retry its work until it clears "
        f"(as Shopify said) -> fix: {fix}",
        f"FAIL {SHOP} token: the shop is {what}: {SHOP}: as Shopify said now -> fix: {fix}",
    ]


def test_a_refused_legacy_token_names_the_token(redis_client):
    error = ShopUnavailable("refused (401)", reason="auth", shop=SHOP)
    assert lines(Unavailable({docs.ACCESS_SCOPES: error}), redis_client) == [
        f"FAIL {SHOP} token: the shop is refusing the access token: refused (401) -> fix: set SHOPIFY_ACCESS_TOKEN "
        f"(or the shop's access_token in SHOPS_FILE) to the Admin API access token of the app installed on {SHOP}"]


def test_a_paused_shop_that_answers_again_still_shows_the_pause(redis_client):
    redis_client.set(keys.paused(SHOP), json.dumps({"reason": "locked", "error": "Locked", "at": time.time()}))
    assert [line[:4] for line in lines(shopify(), redis_client)] == ["FAIL", "ok  ", "ok  ", "ok  ", "ok  "]


def test_shopify_out_of_reach_names_the_url(redis_client):
    client = Unavailable({docs.ACCESS_SCOPES: RetryableShopifyError("502 Bad Gateway", 502)})
    assert lines(client, redis_client) == [
        f"FAIL {SHOP} token: cannot query http://127.0.0.1:9/admin/api/2026-04/graphql.json: 502 Bad Gateway -> fix: "
        "check SHOPIFY_SHOP, SHOPIFY_ADMIN_URL, SHOPIFY_API_VERSION and the network path to Shopify"]


CLIENT_CREDENTIALS = {"SHOPIFY_CLIENT_ID": "cid", "SHOPIFY_CLIENT_SECRET": "shpss_x", "SHOPIFY_ACCESS_TOKEN": ""}


def test_a_dev_dashboard_app_subscriptions_come_from_the_app_configuration_not_the_api(redis_client):
    assert lines(shopify(subscriptions=[]), redis_client, **CLIENT_CREDENTIALS)[0::3] == [
        f"ok   {SHOP} token: minted with the client credentials grant, accepted by Example Store",
        f"ok   {SHOP} webhooks: declared in shopify.app.toml (the Admin API does not list them): ORDERS_UPDATED, "
        "REFUNDS_CREATE, ORDERS_CANCELLED and the compliance topics; shopify app deploy releases them"]


def test_a_dev_dashboard_app_with_api_subscriptions_too_is_warned_of_double_deliveries(redis_client):
    assert lines(shopify(subscriptions=WANTED_SUBSCRIPTIONS[:1]), redis_client, **CLIENT_CREDENTIALS)[3] == (
        f"warn {SHOP} webhooks: ORDERS_UPDATED also subscribed through the Admin API ({URI}): with "
        "shopify.app.toml's, every event arrives twice -> fix: delete those API subscriptions "
        "(webhookSubscriptionDelete); shopify.app.toml's stay")


def test_a_legacy_app_missing_subscriptions_or_registered_with_a_filter(redis_client):
    [_, refunds, cancelled] = WANTED_SUBSCRIPTIONS
    filtered = {**WANTED_SUBSCRIPTIONS[0], "filter": "tags:needs-replacement*"}
    assert lines(shopify(subscriptions=[refunds]), redis_client)[3] == (
        f"FAIL {SHOP} webhooks: no subscription for ORDERS_UPDATED, ORDERS_CANCELLED -> fix: "
        f"python -m ops.webhooks {URI}")
    assert lines(shopify(subscriptions=[filtered, refunds, cancelled]), redis_client)[3] == (
        f"warn {SHOP} webhooks: ORDERS_UPDATED subscribed with a delivery filter or other fields -> fix: "
        f"python -m ops.webhooks {URI}")


def test_a_legacy_app_without_webhook_url_is_warned_that_nothing_puts_subscriptions_back(redis_client):
    assert lines(shopify(), redis_client, WEBHOOK_URL="")[3] == (
        f"warn {SHOP} webhooks: ORDERS_UPDATED -> {URI}; REFUNDS_CREATE -> {URI}; ORDERS_CANCELLED -> {URI}; "
        "WEBHOOK_URL is not set, so beat does not put back a subscription Shopify deletes after 8 failed deliveries "
        "-> fix: set WEBHOOK_URL to the address above")
