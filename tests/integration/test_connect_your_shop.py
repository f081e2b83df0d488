"""A new merchant connects a Dev Dashboard app as the README's "Connect your shop" says (client ID
and secret, no token), and the doctor tells them what is still wrong: each missing scope, protected
customer data not granted, credentials refused, a shop the workers paused. The sandbox stands in for
the store, with the client credentials grant; Redis is a database of its own."""

import json
import time

import pytest
import redis
import requests

from core import keys
from ops import doctor
from ops import webhooks as webhooks_setup
from sandbox.server import start_in_thread
from shopify.scopes import REQUIRED
from tests.integration.commands import command_environment, configure
from tests.payloads import SHOP

CLIENT_ID = "cid-connect"
CLIENT_SECRET = "shpss_connect_secret"


@pytest.fixture(scope="module")
def store():
    sandbox = start_in_thread(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, draft_ready_delay=0.05)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def env(redis_server, store, monkeypatch) -> dict:
    env = {"SHOPIFY_SHOP": SHOP, "SHOPIFY_CLIENT_ID": CLIENT_ID, "SHOPIFY_CLIENT_SECRET": CLIENT_SECRET,
           "SHOPIFY_ADMIN_URL": store.url, "REDIS_URL": redis_server.url.rsplit("/", 1)[0] + "/13"}
    requests.post(f"{store.url}/_sandbox/reset", timeout=5).raise_for_status()
    configure(store.url, scopes=list(REQUIRED), refuse_mint=False)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    with command_environment(monkeypatch, env):
        yield env


def shop_lines(env: dict) -> list[str]:
    return [check.line() for check in doctor.run(env) if check.name.startswith(SHOP)]


def test_a_shop_connected_as_the_readme_says_passes_every_check(env, store, capsys):
    configure(store.url, scopes=[*REQUIRED, "read_all_orders"])

    assert doctor.main() == 0

    assert capsys.readouterr().out.splitlines() == [
        f"ok   settings: 1 shop(s): {SHOP}; REPLACEMENT_MODE=complete",
        f"ok   redis: {env['REDIS_URL']} answers",
        "ok   redis persistence: appendonly yes, maxmemory-policy noeviction",
        f"ok   {SHOP} token: minted with the client credentials grant, accepted by Example Store",
        f"ok   {SHOP} scopes: read_all_orders, read_customers, read_inventory, read_locations, read_products, "
        "write_draft_orders, write_orders",
        f"ok   {SHOP} customer data: the shipping address of #1001 is readable",
        f"ok   {SHOP} webhooks: declared in shopify.app.toml (the Admin API does not list them): ORDERS_UPDATED, "
        "REFUNDS_CREATE, ORDERS_CANCELLED and the compliance topics; shopify app deploy releases them",
    ]


def test_the_doctor_names_each_scope_the_app_was_not_granted(env, store):
    configure(store.url, scopes=["write_orders", "write_draft_orders"])

    [_, scopes, *_] = shop_lines(env)

    assert scopes.startswith(
        f"FAIL {SHOP} scopes: missing read_products (the replaced lines' variants), read_inventory (stock, unit "
        "costs), read_locations (RESTOCK_LOCATION_ID checked: every Location field but its id), read_customers "
        "(the order's customer) -> fix: ")


def test_without_protected_customer_data_the_doctor_fails_naming_the_fields(env, store):
    configure(store.url, protected_customer_data=False)

    assert shop_lines(env)[2] == (
        f"FAIL {SHOP} customer data: the shipping address of #1001 reads as null: without protected customer data "
        "a replacement has nowhere to ship -> fix: select the protected customer data fields name, email, phone, "
        "address for the app (Dev Dashboard: the app version's protected customer data), release it and approve "
        "the update")


def test_credentials_refused_fail_the_token_check_naming_the_reason(env, store):
    requests.post(f"{store.url}/_sandbox/tokens/revoke", json={"refuse_mint": True}, timeout=5).raise_for_status()

    assert shop_lines(env) == [
        f"FAIL {SHOP} token: the shop is refusing the app's credentials: {SHOP}: Shopify refused the client "
        "credentials (HTTP 400: The app is not installed on this shop.): check SHOPIFY_CLIENT_ID and "
        "SHOPIFY_CLIENT_SECRET, and that the app is installed on the shop -> fix: set SHOPIFY_CLIENT_ID and "
        "SHOPIFY_CLIENT_SECRET (or the shop's client_id and client_secret in SHOPS_FILE) to those of the app in the "
        f"Dev Dashboard (Settings), installed on {SHOP}"]


def test_a_shop_the_workers_paused_fails_naming_why(env):
    redis.Redis.from_url(env["REDIS_URL"]).set(keys.paused(SHOP), json.dumps(
        {"reason": "locked", "error": f"{SHOP}: Shopify answered 423 Locked", "at": time.time()}), ex=300)

    [paused, *rest] = shop_lines(env)

    assert paused.startswith(f"FAIL {SHOP} paused: the workers found the shop locked (HTTP 423) at ")
    assert paused.endswith(
        f"and retry its work until it clears ({SHOP}: Shopify answered 423 Locked) -> fix: nothing to change here: "
        "Shopify locked the shop; its work resumes by itself when Shopify unlocks it (ask Shopify support if it "
        "lasts)")
    assert rest[0].startswith(f"ok   {SHOP} token: ")


def test_api_subscriptions_are_refused_for_a_dev_dashboard_app(env, store, capsys):
    assert webhooks_setup.main(["https://replacements.example.com/webhooks/shopify"]) == 2

    assert capsys.readouterr().out.splitlines() == [
        f"{SHOP}: not registered: a Dev Dashboard app (SHOPIFY_CLIENT_ID) gets its subscriptions from "
        "shopify.app.toml (shopify app deploy); these would deliver every event twice (--force registers them "
        "anyway)"]
    assert requests.get(f"{store.url}/_sandbox/state", timeout=5).json()["webhook_subscriptions"] == []
