"""Checks a deployment, one line per check, with the fix for each failure.

    .venv/bin/python -m ops.doctor        # exit 0 when nothing failed

Settings, Redis and its persistence, and for each shop: the token, the granted access scopes, the webhook
subscriptions. A check that cannot run because an earlier one failed is not printed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.logs import configure_logging
from core.settings import ConfigError, Settings, Shop
from ops.cli import shopify_client
from replacements.configuration import load_settings
from replacements.subscriptions import missing, outdated, wanted
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.errors import ShopifyError
from shopify.pagination import all_nodes

REQUIRED_SCOPES = ("write_draft_orders", "write_orders", "read_products", "read_inventory")
SETUP_COMMAND = "python -m ops.webhooks https://<your host>/webhooks/shopify"


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
    for shop in settings.shops.values():
        checks += shop_checks(settings, shop, shopify_client(settings, shop))
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


def shop_checks(settings: Settings, shop: Shop, client: ShopifyClient) -> list[Check]:
    try:
        answer = client.query(docs.ACCESS_SCOPES)
    except ShopifyError as error:
        return [token_failure(shop, error)]
    granted = {scope["handle"] for scope in answer["currentAppInstallation"]["accessScopes"]}
    checks = [Check(f"{shop.domain} token", "ok", f"accepted by {answer['shop']['name']}"),
              scope_check(shop.domain, granted)]
    if settings.restock_location_id:
        checks.append(restock_location_check(shop.domain, settings.restock_location_id, client))
    try:
        existing = list(all_nodes(client, docs.WEBHOOK_SUBSCRIPTIONS, "webhookSubscriptions"))
    except ShopifyError as error:
        return [*checks, Check(f"{shop.domain} webhooks", "FAIL", f"cannot list subscriptions: {error}",
                               "grant read_orders, then run the doctor again")]
    return [*checks, subscription_check(shop.domain, settings, existing)]


def token_failure(shop: Shop, error: ShopifyError) -> Check:
    name = f"{shop.domain} token"
    if error.status in (401, 403):
        return Check(name, "FAIL", f"Shopify answered {error.status} to the token",
                     f"set SHOPIFY_ACCESS_TOKEN (or the shop's access_token in SHOPS_FILE) to the Admin API "
                     f"access token of the app installed on {shop.domain}")
    return Check(name, "FAIL", f"cannot query {shop.graphql_url}: {error}",
                 "check SHOPIFY_SHOP, SHOPIFY_ADMIN_URL, SHOPIFY_API_VERSION and the network path to Shopify")


def scope_check(domain: str, granted: set[str]) -> Check:
    # On Shopify a write scope grants its read scope.
    effective = granted | {"read_" + s.removeprefix("write_") for s in granted if s.startswith("write_")}
    lacking = [scope for scope in REQUIRED_SCOPES if scope not in effective]
    name = f"{domain} scopes"
    if lacking:
        return Check(name, "FAIL", f"missing {', '.join(lacking)}",
                     "add them to the app's Admin API access scopes, then approve the update in the shop's admin")
    if "read_all_orders" not in effective:
        return Check(name, "warn", "read_all_orders not granted: orders older than 60 days cannot be read, "
                                   "so they cannot be replaced",
                     "request read_all_orders (Partner Dashboard, protected data) if such orders need replacing")
    return Check(name, "ok", ", ".join(sorted(granted)))


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


def subscription_check(domain: str, settings: Settings, existing: list[dict]) -> Check:
    wants = wanted(settings)
    name = f"{domain} webhooks"
    if lacking := missing(wants, existing):
        return Check(name, "FAIL", f"no subscription for {', '.join(lacking)}", SETUP_COMMAND)
    if stale := outdated(wants, existing):
        return Check(name, "warn", f"{', '.join(stale)} subscribed without the delivery filter or trimmed fields",
                     SETUP_COMMAND)
    return Check(name, "ok", "; ".join(f"{sub['topic']} -> {sub['uri']}" for sub in existing
                                       if sub["topic"] in {w.topic for w in wants}))


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
