"""Settings read from the environment once, at start-up, and cast.

A missing or malformed setting raises ConfigError with one line that names it. ConfigError
stands outside the project's exception root on purpose: nothing may swallow it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

# `<PROVIDER>_WEBHOOK_SECRET`: a helpdesk's secret; web/helpdesks/ serves the providers it has an adapter for.
HELPDESK_SECRET = re.compile(r"^([A-Z][A-Z0-9]*)_WEBHOOK_SECRET$")
SHIPPING_MODES = ("zero", "original", "none")
SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
TAG = re.compile(r"^[A-Za-z0-9_:.-]{1,40}$")
REASON_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
DEFAULT_REASONS = ("damaged", "defective", "lost", "missing-item", "wrong-item", "other")
LOCATION = re.compile(r"^(?:gid://shopify/Location/)?(\d{1,20})$")
ADDRESS = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")
# `<PROVIDER>_API_*`: what worker/ticket_notes/ needs to write a note on a helpdesk's ticket: the
# API's base URL (the vendor's by default; None: per account, so required) and the credentials
# the vendor takes. None set: no write-back for that helpdesk; some set: each missing one is named.
HELPDESK_APIS = {
    "zendesk": (None, ("EMAIL", "TOKEN")),
    "gorgias": (None, ("EMAIL", "KEY")),
    "freshdesk": (None, ("KEY",)),
    "helpscout": ("https://api.helpscout.net", ("APP_ID", "APP_SECRET")),
    "intercom": ("https://api.intercom.io", ("TOKEN", "ADMIN_ID")),
    "kustomer": ("https://api.kustomerapp.com", ("KEY",)),
    "front": ("https://api2.frontapp.com", ("TOKEN",)),
    "reamaze": (None, ("EMAIL", "TOKEN")),
}


# sysexits' EX_CONFIG: a supervisor (worker/run_worker.py) does not start a process again for it.
EXIT_CONFIG = 78


def from_env_or_exit(load=None) -> Settings:
    """What a process does first: its settings, or one line naming the bad one and exit."""
    try:
        return (load or Settings.from_env)()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        sys.exit(EXIT_CONFIG)


class ConfigError(Exception):
    """A setting is missing or malformed; the process must not start."""


@dataclass(frozen=True)
class Shop:
    """A shop and how the service reaches it: the client ID and secret of a Dev Dashboard app
    (the service mints its tokens), or the static token of a legacy custom app."""

    domain: str
    access_token: str | None = field(repr=False)
    webhook_secrets: tuple[str, ...] = field(repr=False)
    admin_url: str = ""
    api_version: str = "2026-04"
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)

    @property
    def mints_tokens(self) -> bool:
        return self.client_id is not None

    @property
    def token_url(self) -> str:
        return f"{self.admin_url.rstrip('/')}/admin/oauth/access_token"

    @property
    def graphql_url(self) -> str:
        return f"{self.admin_url.rstrip('/')}/admin/api/{self.api_version}/graphql.json"


@dataclass(frozen=True)
class Settings:
    shops: Mapping[str, Shop]
    redis_url: str | None = None
    api_token: str | None = None
    helpdesk_secrets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    replacement_tag: str = "needs-replacement"
    helpdesk_tag: str = "replace"
    refund_keyword: str = "replace"
    replacement_mode: str = "complete"
    reserve_hours: int = 72
    max_value: Decimal | None = None
    limit_per_customer: int | None = None
    limit_days: int = 90
    # The store's circuit breaker (worker/circuit_breaker.py): beyond either, replacements are held.
    max_per_hour: int | None = None
    max_value_per_day: Decimal | None = None
    out_of_stock: str = "fail"
    max_body_bytes: int = 1_000_000
    reconcile_minutes: int = 15
    # Seconds a message taken by a worker stays the worker's before the broker hands it to another
    # (worker/app.py says why 75); tests cut it to see a lost message come back.
    visibility_timeout: int = 75
    dedupe_hours: int = 48
    retention_days: int = 90
    log_level: str = "INFO"
    reasons: tuple[str, ...] = DEFAULT_REASONS
    replacement_shipping: str = "zero"
    refund_original_shipping: bool = False
    cancel_original: bool = False
    cancel_original_refund: bool = False
    restock_location_id: str | None = None
    presets_file: str | None = None
    webhook_url: str | None = None  # legacy apps: beat keeps the API subscriptions at this address
    # `GET /metrics`: the bearer token it asks for, and the address it is served on instead of the public port.
    metrics_token: str | None = field(default=None, repr=False)
    metrics_bind: str | None = None
    # provider -> {"url": ..., "email": ..., "token": ...}: the helpdesks whose tickets get a note.
    helpdesk_apis: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    # Every outcome is POSTed there, signed the Standard Webhooks way with the `whsec_` secret.
    events_url: str | None = None
    events_secret: str | None = field(default=None, repr=False)
    # Parsed from `presets_file` by replacements.configuration (the rules are the domain's).
    presets: Mapping[str, Any] = field(default_factory=dict)

    @property
    def default_shop(self) -> Shop:
        return next(iter(self.shops.values()))

    def shop(self, domain: str) -> Shop | None:
        return self.shops.get((domain or "").strip().lower())

    def with_overrides(self, **changes) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        reader = _Reader(env)
        settings = cls(
            shops=_shops(reader, env),
            redis_url=reader.redis_url("REDIS_URL"),
            api_token=reader.text("API_TOKEN", required=False),
            helpdesk_secrets=_helpdesk_secrets(reader, env),
            replacement_tag=reader.tag("REPLACEMENT_TAG", "needs-replacement"),
            helpdesk_tag=reader.tag("HELPDESK_TAG", "replace"),
            refund_keyword=reader.text("REFUND_KEYWORD", required=False) or "replace",
            replacement_mode=reader.choice("REPLACEMENT_MODE", ("complete", "draft"), "complete"),
            reserve_hours=reader.integer("RESERVE_HOURS", 72, minimum=1),
            max_value=reader.decimal("REPLACEMENT_MAX_VALUE"),
            limit_per_customer=reader.integer("REPLACEMENT_LIMIT_PER_CUSTOMER", None, minimum=0),
            limit_days=reader.integer("REPLACEMENT_LIMIT_DAYS", 90, minimum=1),
            max_per_hour=reader.integer("REPLACEMENT_MAX_PER_HOUR", None, minimum=0),
            max_value_per_day=reader.decimal("REPLACEMENT_MAX_VALUE_PER_DAY"),
            out_of_stock=reader.choice("OUT_OF_STOCK", ("fail", "draft"), "fail"),
            max_body_bytes=reader.integer("MAX_BODY_BYTES", 1_000_000, minimum=1024),
            reconcile_minutes=reader.integer("RECONCILE_MINUTES", 15, minimum=1),
            visibility_timeout=reader.integer("VISIBILITY_TIMEOUT", 75, minimum=1),
            # At least the dedupe marks' 48 h: a request must outlive every retry of its delivery.
            retention_days=reader.integer("RETENTION_DAYS", 90, minimum=3),
            log_level=reader.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            reasons=reader.reasons("REASONS"),
            replacement_shipping=reader.choice("REPLACEMENT_SHIPPING", SHIPPING_MODES, "zero"),
            refund_original_shipping=reader.boolean("REFUND_ORIGINAL_SHIPPING"),
            cancel_original=reader.boolean("CANCEL_ORIGINAL"),
            cancel_original_refund=reader.boolean("CANCEL_ORIGINAL_REFUND"),
            restock_location_id=reader.location("RESTOCK_LOCATION_ID"),
            presets_file=reader.text("PRESETS_FILE", required=False),
            webhook_url=reader.text("WEBHOOK_URL", required=False),
            metrics_token=reader.text("METRICS_TOKEN", required=False),
            metrics_bind=reader.address("METRICS_BIND"),
            helpdesk_apis=_helpdesk_apis(reader),
            events_url=reader.url("EVENTS_URL"),
            events_secret=reader.events_secret("EVENTS_SECRET"),
        )
        if bool(settings.events_url) != bool(settings.events_secret):
            missing = "EVENTS_SECRET" if settings.events_url else "EVENTS_URL"
            raise ConfigError(f"{missing} is not set (EVENTS_URL receives every outcome, signed with EVENTS_SECRET)")
        return settings


class _Reader:
    def __init__(self, env: Mapping[str, str]):
        self.env = env

    def text(self, name: str, required: bool = True) -> str | None:
        value = (self.env.get(name) or "").strip()
        if not value and required:
            raise ConfigError(f"{name} is not set")
        return value or None

    def redis_url(self, name: str) -> str:
        value = self.text(name, required=False)
        if value is None:
            raise ConfigError(f"{name} is not set: the service needs one Redis shared by every process "
                              f"(bin/serve starts an embedded one for development)")
        if not re.match(r"^(redis|rediss|unix)://", value):
            raise ConfigError(f"{name} must be a redis://, rediss:// or unix:// URL (got {value.split('@')[-1]!r})")
        if value.startswith("rediss://") and "ssl_cert_reqs=" not in value:
            # redis-py checks the server's certificate by default, Celery's Redis transport does not.
            raise ConfigError(f"{name} is a rediss:// URL without ssl_cert_reqs: add ?ssl_cert_reqs=required "
                              f"(and ssl_ca_certs=/path/to/ca.pem for a private CA), so that every process "
                              f"checks the server's certificate")
        return value

    def secrets(self, name: str, required: bool = True) -> tuple[str, ...]:
        value = self.text(name, required)
        return tuple(s.strip() for s in (value or "").split(",") if s.strip())

    def tag(self, name: str, default: str) -> str:
        value = self.text(name, required=False) or default
        if not TAG.match(value):
            raise ConfigError(f"{name} must be a tag of letters, digits, '-', '_', ':' or '.' (got {value!r})")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, required=False) or default
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)} (got {value!r})")
        return value

    def integer(self, name: str, default: int | None, minimum: int = 0) -> int | None:
        value = self.text(name, required=False)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number (got {value!r})") from None
        if number < minimum:
            raise ConfigError(f"{name} must be at least {minimum} (got {number})")
        return number

    def boolean(self, name: str) -> bool:
        value = (self.text(name, required=False) or "false").lower()
        if value not in ("true", "false"):
            raise ConfigError(f"{name} must be true or false (got {value!r})")
        return value == "true"

    def reasons(self, name: str) -> tuple[str, ...]:
        value = self.text(name, required=False)
        if value is None:
            return DEFAULT_REASONS
        codes = [code.strip().lower() for code in value.split(",") if code.strip()]
        bad = [code for code in codes if not REASON_CODE.match(code)]
        if bad or not codes:
            raise ConfigError(f"{name} must be comma-separated codes of lowercase letters, digits, '-' or '_' "
                              f"(got {value!r})")
        return tuple(dict.fromkeys([*codes, "other"]))

    def url(self, name: str, default: str | None = None) -> str | None:
        value = self.text(name, required=False) or default
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ConfigError(f"{name} must be an http(s) URL (got {value!r})")
        return value.rstrip("/") if value else None

    def events_secret(self, name: str) -> str | None:
        """A Standard Webhooks secret: `whsec_` and base64 (of 24 to 64 random bytes)."""
        value = self.text(name, required=False)
        if value is None:
            return None
        encoded = value.removeprefix("whsec_")
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error:
            key = b""
        if not value.startswith("whsec_") or not key:
            raise ConfigError(f"{name} must be a Standard Webhooks secret: whsec_ and base64")
        return value

    def address(self, name: str) -> str | None:
        """`host:port` to listen on (`127.0.0.1:9102`, `[::1]:9102`, `0.0.0.0:9102`)."""
        value = self.text(name, required=False)
        if value is None:
            return None
        match = ADDRESS.match(value)
        if not match or not 0 < int(match.group(2)) < 65536:
            raise ConfigError(f"{name} must be host:port, like 127.0.0.1:9102 (got {value!r})")
        return value

    def location(self, name: str) -> str | None:
        value = self.text(name, required=False)
        if value is None:
            return None
        match = LOCATION.match(value)
        if not match:
            raise ConfigError(f"{name} must be a location id like 123 or gid://shopify/Location/123 (got {value!r})")
        return f"gid://shopify/Location/{match.group(1)}"

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name, required=False)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ConfigError(f"{name} must be an amount like 150.00 (got {value!r})") from None
        if not number.is_finite() or number < 0:
            raise ConfigError(f"{name} must be a positive amount (got {value!r})")
        return number


def _helpdesk_secrets(reader: _Reader, env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    providers = [match.group(1) for name in env
                 if (match := HELPDESK_SECRET.match(name)) and match.group(1) != "SHOPIFY"]
    return {provider.lower(): secrets for provider in providers
            if (secrets := reader.secrets(f"{provider}_WEBHOOK_SECRET", required=False))}


def _helpdesk_apis(reader: _Reader) -> dict[str, dict[str, str]]:
    apis = {}
    for provider, (default_url, credentials) in HELPDESK_APIS.items():
        prefix = f"{provider.upper()}_API_"
        given = {name: reader.text(prefix + name, required=False) for name in ("URL", *credentials)}
        if not any(given.values()):
            continue
        missing = [prefix + name for name, value in given.items() if not value and not (name == "URL" and default_url)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(f"{', '.join(missing)} {verb} not set (a note on {provider} tickets needs "
                              f"{', '.join(prefix + name for name in ('URL', *credentials))})")
        apis[provider] = {name.lower(): value for name, value in given.items() if name != "URL"}
        apis[provider]["url"] = reader.url(prefix + "URL", default_url)
    return apis


def _shops(reader: _Reader, env: Mapping[str, str]) -> dict[str, Shop]:
    shops_file = reader.text("SHOPS_FILE", required=False)
    if shops_file:
        return _shops_from_file(shops_file)
    domain = reader.text("SHOPIFY_SHOP").lower()
    shop = _shop(
        domain=domain,
        token=reader.text("SHOPIFY_ACCESS_TOKEN", required=False),
        client=(reader.text("SHOPIFY_CLIENT_ID", required=False), reader.text("SHOPIFY_CLIENT_SECRET", required=False)),
        secrets=reader.secrets("SHOPIFY_WEBHOOK_SECRET", required=False),
        admin_url=reader.text("SHOPIFY_ADMIN_URL", required=False),
        api_version=reader.text("SHOPIFY_API_VERSION", required=False),
        where="",
    )
    return {shop.domain: shop}


def _shops_from_file(path: str) -> dict[str, Shop]:
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)
    except (OSError, ValueError) as error:
        raise ConfigError(f"SHOPS_FILE {path!r} cannot be read as JSON: {error}") from None
    if not isinstance(entries, list) or not entries:
        raise ConfigError("SHOPS_FILE must hold a non-empty JSON list of shops")
    shops = {}
    for index, entry in enumerate(entries):
        where = f"SHOPS_FILE entry {index}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be an object")
        secrets = entry.get("webhook_secret") or ""
        shop = _shop(
            domain=str(entry.get("shop") or "").lower(),
            token=_text(entry.get("access_token")),
            client=(_text(entry.get("client_id")), _text(entry.get("client_secret"))),
            secrets=tuple(s.strip() for s in str(secrets).split(",") if s.strip()),
            admin_url=entry.get("admin_url"),
            api_version=entry.get("api_version"),
            where=where,
        )
        shops[shop.domain] = shop
    return shops


def _text(value) -> str | None:
    return str(value).strip() or None if value is not None else None


def _shop(domain, token, client, secrets, admin_url, api_version, where) -> Shop:
    """`where` names the SHOPS_FILE entry; empty for the SHOPIFY_* variables."""
    prefix = f"{where}: " if where else ""

    def name(key: str) -> str:
        return key if where else f"SHOPIFY_{key.upper()}"

    if not SHOP_DOMAIN.match(domain or ""):
        raise ConfigError(f"{prefix}{name('shop')} must look like example.myshopify.com (got {domain!r})")
    client_id, client_secret = client
    if bool(client_id) != bool(client_secret):
        missing = name("client_secret") if client_id else name("client_id")
        raise ConfigError(f"{prefix}{missing} is not set (a Dev Dashboard app needs its client ID and secret)")
    if not token and not client_id:
        raise ConfigError(f"{prefix}{name('client_id')} and {name('client_secret')} are not set (the Dev Dashboard "
                          f"app's credentials; {name('access_token')} for a legacy custom app)")
    # Shopify signs an app's webhooks with its client secret: the default, and always accepted.
    secrets = tuple(dict.fromkeys([*secrets, *([client_secret] if client_secret else [])]))
    if not secrets:
        raise ConfigError(f"{prefix}{name('webhook_secret')} is not set")
    admin_url = admin_url or f"https://{domain}"
    if not re.match(r"^https?://[^\s/]+", admin_url):
        raise ConfigError(f"{prefix}SHOPIFY_ADMIN_URL must be an http(s) URL (got {admin_url!r})")
    api_version = api_version or "2026-04"
    if not re.match(r"^\d{4}-\d{2}$|^unstable$", api_version):
        raise ConfigError(f"{prefix}SHOPIFY_API_VERSION must look like 2026-04 (got {api_version!r})")
    return Shop(domain, None if client_id else token, secrets, admin_url, api_version, client_id, client_secret)
