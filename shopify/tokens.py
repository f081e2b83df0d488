"""The Admin API token of each shop.

A Dev Dashboard app gets its token through the OAuth client credentials grant, and the token
expires (about 24 h, no refresh token). One token per shop is kept in Redis and shared by every
web, worker and beat process on every machine; it is minted under a lock, so a fleet mints once,
and renewed ahead of expiry. A legacy custom app has a static token, which cannot be renewed.

Shopify does not say whether a new token revokes the previous one, so nobody mints a second
token while the shared one is good: a process that gets a 401 renews only if the token it used
is still the shared one.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Protocol

import redis
import requests

from core import keys
from core.metrics import Metrics
from core.settings import Shop
from shopify.errors import RetryableShopifyError, ShopUnavailable

log = logging.getLogger(__name__)

# Renew when this much of a token's life is left: a fifth of it, at most five minutes (a 24 h
# token is renewed 5 min early, a 30 s one 6 s early), so a call never starts with a token
# about to expire.
RENEW_FRACTION = 0.2
RENEW_MARGIN_MAX_SECONDS = 300.0
MINT_LOCK_SECONDS = 15.0
MINT_TIMEOUT = (3.05, 10.0)


class Tokens(Protocol):
    def current(self) -> str: ...

    def renew(self, rejected: str) -> str: ...


class StaticToken:
    """A legacy custom app's `shpat_` token: what it is, it stays."""

    def __init__(self, shop: Shop):
        self.shop = shop

    def current(self) -> str:
        return self.shop.access_token

    def renew(self, rejected: str) -> str:
        raise ShopUnavailable(f"{self.shop.domain}: Shopify refused the access token (401): the app was "
                              f"uninstalled or its token revoked; set a valid SHOPIFY_ACCESS_TOKEN", reason="auth",
                              shop=self.shop.domain)


class ClientCredentials:
    """Tokens minted with the shop's client ID and secret, shared through Redis."""

    def __init__(self, shop: Shop, client: redis.Redis, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 metrics: Metrics | None = None):
        self.shop = shop
        self.metrics = metrics
        self.client = client
        self.session = session or requests.Session()
        self.clock = clock
        self.sleep = sleep
        self.key = keys.token(shop.domain)
        self._held: dict | None = None  # this process's copy of the shared token

    def current(self) -> str:
        if self._held and self._fresh(self._held):
            return self._held["token"]
        shared = self._shared()
        if shared and self._fresh(shared):
            self._held = shared
            return shared["token"]
        return self._mint_once(stale=shared["token"] if shared else None)

    def renew(self, rejected: str) -> str:
        """A call was refused with `rejected`: a newer shared token if there is one, else a new one."""
        shared = self._shared()
        if shared and shared["token"] != rejected and self._fresh(shared):
            self._held = shared
            return shared["token"]
        self._held = None
        return self._mint_once(stale=rejected)

    def _fresh(self, held: dict) -> bool:
        margin = min(RENEW_MARGIN_MAX_SECONDS, RENEW_FRACTION * held["lifetime"])
        return self.clock() < held["expires_at"] - margin

    def _shared(self) -> dict | None:
        raw = self.client.get(self.key)
        return json.loads(raw) if raw else None

    def _mint_once(self, stale: str | None) -> str:
        """Mints under the shop's lock; whoever waits for the lock takes the token its holder minted."""
        lock = keys.lock(f"token:{self.shop.domain}")
        owner = uuid.uuid4().hex
        deadline = self.clock() + MINT_LOCK_SECONDS
        while not self.client.set(lock, owner, nx=True, px=int(MINT_LOCK_SECONDS * 1000)):
            shared = self._shared()
            if shared and shared["token"] != stale and self._fresh(shared):
                self._held = shared
                return shared["token"]
            if self.clock() > deadline:
                raise RetryableShopifyError(f"{self.shop.domain}: another process is minting the token")
            self.sleep(0.05)
        try:
            shared = self._shared()  # minted while we waited for the lock?
            if shared and shared["token"] != stale and self._fresh(shared):
                self._held = shared
                return shared["token"]
            self._held = self._mint()
            return self._held["token"]
        finally:
            if self.client.get(lock) == owner.encode():
                self.client.delete(lock)

    def _mint(self) -> dict:
        form = {"grant_type": "client_credentials", "client_id": self.shop.client_id,
                "client_secret": self.shop.client_secret}
        try:
            response = self.session.post(self.shop.token_url, data=form, timeout=MINT_TIMEOUT,
                                         headers={"Accept": "application/json"})
        except requests.RequestException as error:
            raise RetryableShopifyError(f"{self.shop.domain}: token request failed: {type(error).__name__}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryableShopifyError(f"{self.shop.domain}: token request answered HTTP {response.status_code}",
                                        response.status_code)
        body = _json(response)
        if response.status_code != 200 or not body.get("access_token"):
            detail = body.get("error_description") or body.get("error") or body.get("errors") or response.text[:200]
            raise ShopUnavailable(f"{self.shop.domain}: Shopify refused the client credentials "
                                  f"(HTTP {response.status_code}: {detail}): check SHOPIFY_CLIENT_ID and "
                                  f"SHOPIFY_CLIENT_SECRET, and that the app is installed on the shop", reason="auth",
                                  shop=self.shop.domain, status=response.status_code)
        lifetime = float(body.get("expires_in") or 86399)
        minted = {"token": body["access_token"], "scope": body.get("scope", ""), "lifetime": lifetime,
                  "expires_at": self.clock() + lifetime, "minted_at": self.clock()}
        self.client.set(self.key, json.dumps(minted), px=int(lifetime * 1000))
        if self.metrics:
            self.metrics.token_minted(self.shop.domain)
        log.info("shopify token minted", extra={"shop": self.shop.domain, "expires_in": lifetime,
                                                "scope": minted["scope"]})
        return minted


def _json(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def tokens_for(shop: Shop, client: redis.Redis, metrics: Metrics | None = None) -> Tokens:
    return ClientCredentials(shop, client, metrics=metrics) if shop.mints_tokens else StaticToken(shop)
