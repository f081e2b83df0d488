"""The doctor says, one line per check, what is wrong and how to fix it."""

import pytest

from ops.doctor import Check, persistence_check, redis_checks, run, scope_check, subscription_check
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


def test_scopes_write_implies_read_and_read_all_orders_is_a_warning():
    assert scope_check("s", {"write_draft_orders", "write_orders", "read_products"}) == Check(
        "s scopes", "FAIL", "missing read_inventory",
        "add them to the app's Admin API access scopes, then approve the update in the shop's admin")
    assert scope_check("s", {"write_draft_orders", "write_orders", "read_products", "write_inventory"}).status == "warn"
    assert scope_check("s", {"write_draft_orders", "write_orders", "read_products", "read_inventory",
                             "read_all_orders"}).status == "ok"


def test_subscriptions_missing_or_without_the_filter():
    settings = make_settings()
    uri = "https://x/webhooks/shopify"
    filtered = {"topic": "ORDERS_UPDATED", "uri": uri, "filter": "tags:needs-replacement*",
                "includeFields": ["id", "admin_graphql_api_id", "name", "tags", "updated_at"]}
    refunds = {"topic": "REFUNDS_CREATE", "uri": uri, "filter": None,
               "includeFields": ["id", "order_id", "note", "refund_line_items"]}
    cancelled = {"topic": "ORDERS_CANCELLED", "uri": uri, "filter": None,
                 "includeFields": ["admin_graphql_api_id", "id"]}  # any order: Shopify may reorder them
    missing = subscription_check("s", settings, [filtered])
    assert (missing.status, missing.detail) == ("FAIL", "no subscription for REFUNDS_CREATE, ORDERS_CANCELLED")
    assert missing.fix == "python -m ops.webhooks https://<your host>/webhooks/shopify"
    stale = subscription_check("s", settings, [{**filtered, "filter": None}, refunds, cancelled])
    assert (stale.status, stale.detail) == (
        "warn", "ORDERS_UPDATED subscribed without the delivery filter or trimmed fields")
    assert subscription_check("s", settings, [filtered, refunds, cancelled]).line() == (
        f"ok   s webhooks: ORDERS_UPDATED -> {uri}; REFUNDS_CREATE -> {uri}; ORDERS_CANCELLED -> {uri}")


def test_redis_that_may_evict_fails_and_one_without_aof_warns():
    assert persistence_check({"appendonly": "yes", "maxmemory-policy": "allkeys-lru"}).line() == (
        "FAIL redis persistence: maxmemory-policy is allkeys-lru: Redis may evict queued tasks and request state "
        "-> fix: set maxmemory-policy noeviction")
    assert persistence_check({"appendonly": "no", "maxmemory-policy": "noeviction"}).status == "warn"
    assert persistence_check({}).status == "warn"
    assert persistence_check({"appendonly": "yes", "maxmemory-policy": "noeviction"}).status == "ok"
