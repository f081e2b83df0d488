"""Checks a deployment, one line per check, with the fix for each failure.

    .venv/bin/python -m ops.doctor        # exit 0 when nothing failed

Settings, Redis and its persistence, and for each shop: whether the workers found it unavailable,
its token (minted, or a legacy app's), the granted access scopes (shopify/scopes.py), protected
customer data, and the webhook subscriptions (a Dev Dashboard app's come from shopify.app.toml).
A check that cannot run because an earlier one failed is not printed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core import keys
from core.logs import configure_logging
from core.settings import ConfigError, Settings, Shop
from ops.cli import shopify_client, store
from replacements.configuration import load_settings
from replacements.subscriptions import WANTED, duplicated, missing, outdated
from shopify import documents as docs
from shopify import scopes
from shopify.client import ShopifyClient
from shopify.errors import ShopifyError, ShopUnavailable
from shopify.webhook_subscriptions import listed


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "warn" or "FAIL"
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4} {self.name}: {self.detail}"
        return f"{text} -> fix: {self.fix}" if self.fix else text


def run(env: Mapping[str, str]) -> list[Check]:
    try:
        settings = load_settings(env)
    except ConfigError as error:
        return [Check("settings", "FAIL", str(error),
                      "set it in the environment (README, Configuration) and run the doctor again")]
    checks = [Check("settings", "ok", f"{len(settings.shops)} shop(s): {', '.join(settings.shops)}; "
                                      f"REPLACEMENT_MODE={settings.replacement_mode}"),
              *redis_checks(settings.redis_url)]
    shared = store(settings).client
    for shop in settings.shops.values():
        checks += shop_checks(settings, shop, shopify_client(settings, shop), shared)
    return checks


def redis_checks(url: str | None) -> list[Check]:
    if not url:
        return [Check("redis", "warn", "REDIS_URL is not set: an embedded redis-server is started (one machine only)",
                      "set REDIS_URL to a Redis with AOF when web and worker run on more than one machine")]
    shown = _without_password(url)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except redis.RedisError as error:
        return [Check("redis", "FAIL", f"cannot reach {shown} ({type(error).__name__})",
                      "start Redis, or set REDIS_URL to a reachable server (redis://host:6379/0)")]
    try:
        config = {**client.config_get("appendonly"), **client.config_get("maxmemory-policy")}
    except redis.ResponseError:
        config = {}  # managed Redis often refuses CONFIG
    return [Check("redis", "ok", f"{shown} answers"), persistence_check(config)]


def persistence_check(config: dict) -> Check:
    """Once the web tier answered 200, Redis holds the only copy of a delivery (CELERY-REDIS.md B4)."""
    if not config:
        return Check("redis persistence", "warn", "CONFIG is refused here: cannot tell",
                     "make sure the server runs with appendonly yes and maxmemory-policy noeviction")
    if config.get("maxmemory-policy") != "noeviction":
        return Check("redis persistence", "FAIL", f"maxmemory-policy is {config.get('maxmemory-policy')}: Redis may "
                                                  "evict queued tasks and request state",
                     "set maxmemory-policy noeviction")
    if config.get("appendonly") != "yes":
        return Check("redis persistence", "warn", "appendonly is no: a crash loses accepted webhooks and state "
                                                  "since the last snapshot",
                     "set appendonly yes and appendfsync everysec")
    return Check("redis persistence", "ok", "appendonly yes, maxmemory-policy noeviction")


def shop_checks(settings: Settings, shop: Shop, client: ShopifyClient, store: redis.Redis | None = None) -> list[Check]:
    """`store`: the Redis the workers record a paused shop in."""
    checks = [pause] if store is not None and (pause := paused_check(shop, store)) else []
    try:
        answer = client.query(docs.ACCESS_SCOPES)
    except (ShopifyError, redis.RedisError) as error:
        return [*checks, token_failure(shop, error)]
    granted = {scope["handle"] for scope in answer["currentAppInstallation"]["accessScopes"]}
    how = "minted with the client credentials grant, " if shop.mints_tokens else ""
    checks += [Check(f"{shop.domain} token", "ok", f"{how}accepted by {answer['shop']['name']}"),
               scope_check(shop.domain, granted), customer_data_check(shop.domain, client)]
    if settings.restock_location_id:
        checks.append(restock_location_check(shop.domain, settings.restock_location_id, client))
    try:
        existing = listed(client)
    except ShopifyError as error:
        return [*checks, Check(f"{shop.domain} webhooks", "FAIL", f"cannot list subscriptions: {error}",
                               "grant write_orders, then run the doctor again")]
    if shop.mints_tokens:
        return [*checks, app_subscription_check(shop.domain, existing)]
    return [*checks, subscription_check(shop.domain, settings, existing)]


def paused_check(shop: Shop, store: redis.Redis) -> Check | None:
    """The workers stopped the shop's work and retry it (worker/task_base.py), for a reason named here."""
    try:
        raw = store.get(keys.paused(shop.domain))
    except redis.RedisError:
        return None  # the redis check says why
    if raw is None:
        return None
    pause = json.loads(raw)
    since = time.strftime("%H:%M:%S UTC", time.gmtime(pause["at"]))
    what, fix = _unavailable(shop, pause["reason"])
    return Check(f"{shop.domain} paused", "FAIL", f"the workers found the shop {what} at {since} and retry its work "
                                                  f"until it clears ({pause['error']})", fix)


def token_failure(shop: Shop, error: Exception) -> Check:
    name = f"{shop.domain} token"
    if isinstance(error, ShopUnavailable):
        what, fix = _unavailable(shop, error.reason)
        return Check(name, "FAIL", f"the shop is {what}: {error}", fix)
    if isinstance(error, redis.RedisError):
        return Check(name, "FAIL", f"cannot read the shared token from Redis ({type(error).__name__})",
                     "make Redis reachable (see the redis check), then run the doctor again")
    return Check(name, "FAIL", f"cannot query {shop.graphql_url}: {error}",
                 "check SHOPIFY_SHOP, SHOPIFY_ADMIN_URL, SHOPIFY_API_VERSION and the network path to Shopify")


def _unavailable(shop: Shop, reason: str) -> tuple[str, str]:
    """What a ShopUnavailable reason means, and what fixes it."""
    if reason == "locked":
        return "locked (HTTP 423)", ("nothing to change here: Shopify locked the shop; its work resumes by itself "
                                     "when Shopify unlocks it (ask Shopify support if it lasts)")
    if reason == "frozen":
        return "frozen (HTTP 402)", ("the merchant pays the shop's outstanding bill (admin, Settings > Billing); "
                                     "its work resumes by itself")
    if shop.mints_tokens:
        return "refusing the app's credentials", (
            "set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (or the shop's client_id and client_secret in "
            f"SHOPS_FILE) to those of the app in the Dev Dashboard (Settings), installed on {shop.domain}")
    return "refusing the access token", (
        "set SHOPIFY_ACCESS_TOKEN (or the shop's access_token in SHOPS_FILE) to the Admin API access token of "
        f"the app installed on {shop.domain}")


def scope_check(domain: str, granted: set[str]) -> Check:
    name = f"{domain} scopes"
    if lacking := scopes.missing(granted):
        return Check(name, "FAIL", "missing " + ", ".join(f"{scope} ({scopes.REQUIRED[scope]})" for scope in lacking),
                     "select them in the app's access scopes (Dev Dashboard: a new version of the app, released; "
                     "or shopify.app.toml and shopify app deploy), then approve the update in the shop's admin")
    if optional := [scope for scope in scopes.OPTIONAL if scope not in scopes.effective(granted)]:
        return Check(name, "warn", "; ".join(f"{scope} not granted: {scopes.OPTIONAL[scope]} cannot be replaced"
                                             for scope in optional),
                     "add it to the app's access scopes if such orders need replacing")
    return Check(name, "ok", ", ".join(sorted(granted)))


def customer_data_check(domain: str, client: ShopifyClient) -> Check:
    """Without protected customer data, Shopify answers an order's address as null: no replacement could ship."""
    name = f"{domain} customer data"
    fix = (f"select the protected customer data fields {', '.join(scopes.PROTECTED_CUSTOMER_FIELDS)} for the app "
           "(Dev Dashboard: the app version's protected customer data), release it and approve the update")
    try:
        orders = client.query(docs.RECENT_SHIPPING_ADDRESSES)["orders"]["nodes"]
    except ShopifyError as error:
        return Check(name, "FAIL", f"cannot read an order's shipping address: {error}", fix)
    shipped = [order for order in orders if order["requiresShipping"]]
    if not shipped:
        return Check(name, "warn", "no recent order ships anything: cannot tell whether shipping addresses are "
                                   "readable", "run the doctor again once an order that ships is in the shop")
    if readable := next((order for order in shipped if order["shippingAddress"]), None):
        return Check(name, "ok", f"the shipping address of {readable['name']} is readable")
    names = ", ".join(order["name"] for order in shipped)
    return Check(name, "FAIL", f"the shipping address of {names} reads as null: without protected customer data "
                               "a replacement has nowhere to ship", fix)


def restock_location_check(domain: str, location_id: str, client: ShopifyClient) -> Check:
    name = f"{domain} RESTOCK_LOCATION_ID"
    try:
        location = client.query(docs.RESTOCK_LOCATION, {"id": location_id})["location"]
    except ShopifyError as error:
        return Check(name, "warn", f"cannot read {location_id}: {error}",
                     "grant read_locations to let the doctor check it, or make sure by hand that it is an active "
                     "location of this shop")
    if location is None:
        return Check(name, "FAIL", f"{location_id} is not a location of this shop: returns cannot be restocked",
                     "set RESTOCK_LOCATION_ID to the id in the address of the location's page (Settings > "
                     "Locations), or unset it to let Shopify choose")
    if not location["isActive"]:
        return Check(name, "FAIL", f"{location['name']} is deactivated: returns cannot be restocked there",
                     "activate the location, or set RESTOCK_LOCATION_ID to an active one")
    return Check(name, "ok", f"returns are restocked at {location['name']}")


def app_subscription_check(domain: str, existing: list[dict]) -> Check:
    """A Dev Dashboard app's subscriptions come from shopify.app.toml, which the Admin API does not list."""
    name = f"{domain} webhooks"
    if twice := duplicated(existing):
        uris = ", ".join(sorted({sub["uri"] for sub in existing if sub["topic"] in twice}))
        return Check(name, "warn", f"{', '.join(twice)} also subscribed through the Admin API ({uris}): with "
                                   "shopify.app.toml's, every event arrives twice",
                     "delete those API subscriptions (webhookSubscriptionDelete); shopify.app.toml's stay")
    return Check(name, "ok", "declared in shopify.app.toml (the Admin API does not list them): "
                             f"{', '.join(want.topic for want in WANTED)} and the compliance topics; "
                             "shopify app deploy releases them")


def subscription_check(domain: str, settings: Settings, existing: list[dict]) -> Check:
    name = f"{domain} webhooks"
    setup = f"python -m ops.webhooks {settings.webhook_url or 'https://<your host>/webhooks/shopify'}"
    if lacking := missing(existing):
        return Check(name, "FAIL", f"no subscription for {', '.join(lacking)}", setup)
    if stale := outdated(existing):
        return Check(name, "warn", f"{', '.join(stale)} subscribed with a delivery filter or other fields", setup)
    subscribed = "; ".join(f"{sub['topic']} -> {sub['uri']}" for sub in existing
                           if sub["topic"] in {want.topic for want in WANTED})
    if not settings.webhook_url:
        return Check(name, "warn", f"{subscribed}; WEBHOOK_URL is not set, so beat does not put back a subscription "
                                   "Shopify deletes after 8 failed deliveries",
                     "set WEBHOOK_URL to the address above")
    return Check(name, "ok", subscribed)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def main() -> int:
    configure_logging("ERROR")  # the lines below say what failed; the client's warnings would repeat it
    checks = run(os.environ)
    for check in checks:
        print(check.line())
    return 1 if any(check.status == "FAIL" for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
