"""The one way the service talks to Shopify's Admin GraphQL API.

Every call goes through `ShopifyClient`, so throttling, retries, error translation and
logging live here. Rules:

- THROTTLED (HTTP 200 or 429) is never a failure: wait until the bucket holds the requested
  cost, then send again. Nothing was applied, so this is safe for mutations too.
- Queries are retried in place on network errors, 5xx and the transient GraphQL errors
  (`INTERNAL_SERVER_ERROR`, `TIMEOUT`), with capped, jittered backoff.
- Mutations are not: such an answer may come after Shopify applied the change. They raise
  RetryableShopifyError and the caller re-reads the world before trying again.
- 401: the token is renewed once and the call sent again (shopify/tokens.py); refused again,
  or 402 (frozen) or 423 (locked): ShopUnavailable, the shop's work waits.
- Other 4xx and GraphQL errors (`ACCESS_DENIED` names the missing scope) are permanent; a
  mutation's userErrors raise ShopifyUserErrors.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from typing import Protocol

import requests

from core.metrics import Metrics
from core.settings import Shop
from shopify.errors import (
    BudgetShort,
    PermanentShopifyError,
    RetryableShopifyError,
    ShopifyError,
    ShopifyUserErrors,
    ShopUnavailable,
)
from shopify.tokens import StaticToken, Tokens

log = logging.getLogger(__name__)

OPERATION_NAME = re.compile(r"\b(?:query|mutation)\s+(\w+)")
QUERY_ATTEMPTS = 3
THROTTLE_DEADLINE_SECONDS = 60.0
TRANSIENT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "TIMEOUT"})
UNAVAILABLE = {402: "frozen", 423: "locked"}


class Budget(Protocol):
    """A shop's API budget shared by every worker (see shopify/budget.py)."""

    def acquire(self, operation: str) -> None: ...

    def settle(self, operation: str, cost: dict | None) -> None: ...

    def release(self, operation: str) -> None: ...


def jitter(attempt: int, cap: float = 2.0) -> float:
    """Full-jitter backoff; its own function so tests can pin it."""
    return random.uniform(0, min(cap, 0.25 * 2 ** attempt))


class ShopifyClient:
    def __init__(self, shop: Shop, session: requests.Session | None = None,
                 budget: Budget | None = None, timeout: tuple[float, float] = (3.05, 10.0),
                 sleep: Callable[[float], None] = time.sleep, backoff: Callable[[int], float] = jitter,
                 metrics: Metrics | None = None, tokens: Tokens | None = None):
        self.shop = shop
        self.tokens = tokens or StaticToken(shop)
        self.metrics = metrics
        self.session = session or requests.Session()
        self.budget = budget
        self.timeout = timeout
        self.sleep = sleep
        self.backoff = backoff

    def query(self, document: str, variables: dict | None = None) -> dict:
        for attempt in range(QUERY_ATTEMPTS):
            try:
                return self._execute(document, variables)
            except RetryableShopifyError:
                if attempt == QUERY_ATTEMPTS - 1:
                    raise
                self.sleep(self.backoff(attempt))
        raise AssertionError("unreachable")

    def mutate(self, document: str, variables: dict, field: str) -> dict:
        payload = self._execute(document, variables).get(field) or {}
        if payload.get("userErrors"):
            raise ShopifyUserErrors(field, payload["userErrors"])
        return payload

    def _execute(self, document: str, variables: dict | None) -> dict:
        operation = _operation_name(document)
        deadline = time.monotonic() + THROTTLE_DEADLINE_SECONDS
        while True:
            if self.budget:
                self.budget.acquire(operation)
            try:
                body, status, request_id = self._post(operation, document, variables)
            except ShopifyError:
                if self.budget:
                    self.budget.release(operation)
                raise
            cost = (body.get("extensions") or {}).get("cost")
            if self.budget:
                self.budget.settle(operation, cost)
            errors = body.get("errors")
            throttled = _throttled(status, errors)
            if self.metrics:
                self.metrics.shopify_answer(self.shop.domain, cost, throttled)
            if not throttled:
                break
            if _beyond_the_bucket(cost):
                raise PermanentShopifyError(f"{operation}: its query cost ({cost['requestedQueryCost']}) is more than "
                                            f"the shop's whole bucket: it can never run", status, request_id)
            wait = _throttle_wait(cost, body.get("retry_after"))
            log.info("shopify throttled", extra={"operation": operation, "wait_seconds": round(wait, 2)})
            if wait > getattr(self.budget, "longest_wait", float("inf")):
                # Nothing was applied: the task comes back when the points have, not holding its worker.
                raise BudgetShort(f"{operation}: throttled for {wait:.1f} s", shop=self.shop.domain, retry_in=wait)
            if time.monotonic() + wait > deadline:
                raise RetryableShopifyError(f"{operation}: throttled for too long", status, request_id)
            self.sleep(wait)
        if errors:
            messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                 for e in (errors if isinstance(errors, list) else [errors]))
            if _codes(errors) & TRANSIENT_CODES:
                log.warning("shopify transient error", extra={"operation": operation, "error": messages[:300]})
                raise RetryableShopifyError(f"{operation}: {messages}", status, request_id)
            raise PermanentShopifyError(f"{operation}: {messages}", status, request_id)
        return body.get("data") or {}

    def _post(self, operation: str, document: str, variables: dict | None) -> tuple[dict, int, str | None]:
        token = self.tokens.current()
        response = self._send(operation, document, variables, token)
        if response.status_code == 401:
            # Expired or revoked: one renewal, one resend. Nothing was applied.
            response = self._send(operation, document, variables, self.tokens.renew(token))
            if response.status_code == 401:
                raise ShopUnavailable(f"{operation}: Shopify refused a freshly renewed access token for "
                                      f"{self.shop.domain} (401): the app was uninstalled or its credentials "
                                      f"changed", reason="auth", shop=self.shop.domain, status=401)
        request_id = response.headers.get("X-Request-Id")
        if response.status_code in UNAVAILABLE:
            reason = UNAVAILABLE[response.status_code]
            raise ShopUnavailable(f"{operation}: shop {self.shop.domain} is {reason} (HTTP {response.status_code})",
                                  reason=reason, shop=self.shop.domain, status=response.status_code,
                                  request_id=request_id)
        if response.status_code >= 500:
            raise RetryableShopifyError(f"{operation}: HTTP {response.status_code}",
                                        response.status_code, request_id, response.text[:500])
        try:
            body = response.json()
        except ValueError:
            if response.status_code == 429:  # throttled by a proxy or the REST-style limiter: no GraphQL body
                return {"retry_after": response.headers.get("Retry-After")}, 429, request_id
            raise RetryableShopifyError(f"{operation}: answer is not JSON", response.status_code,
                                        request_id, response.text[:500]) from None
        if response.status_code >= 400 and response.status_code != 429:
            raise PermanentShopifyError(f"{operation}: HTTP {response.status_code}: {body.get('errors', '')}",
                                        response.status_code, request_id, response.text[:500])
        return body, response.status_code, request_id


    def _send(self, operation: str, document: str, variables: dict | None, token: str) -> requests.Response:
        started = time.monotonic()
        try:
            response = self.session.post(
                self.shop.graphql_url,
                json={"query": document, "variables": variables or {}},
                headers={"X-Shopify-Access-Token": token},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            log.warning("shopify call failed", extra={"operation": operation, "error": type(error).__name__})
            raise RetryableShopifyError(f"{operation}: {type(error).__name__}") from error
        log.info("shopify call", extra={
            "operation": operation, "status": response.status_code,
            "shopify_request_id": response.headers.get("X-Request-Id"),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        })
        return response


def _codes(errors) -> set[str]:
    return {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)} \
        if isinstance(errors, list) else set()


def _operation_name(document: str) -> str:
    match = OPERATION_NAME.search(document)
    return match.group(1) if match else "anonymous"


def _throttled(status: int, errors) -> bool:
    return status == 429 or "THROTTLED" in _codes(errors)


def _beyond_the_bucket(cost: dict | None) -> bool:
    try:
        return float(cost["requestedQueryCost"]) > float(cost["throttleStatus"]["maximumAvailable"])
    except (TypeError, KeyError, ValueError):
        return False


def _throttle_wait(cost: dict | None, retry_after: str | None = None) -> float:
    """Seconds until the bucket holds the requested cost: (requested - available) / restoreRate,
    else the Retry-After header, else one second."""
    try:
        status = cost["throttleStatus"]
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.05, missing / float(status["restoreRate"]))
    except (TypeError, KeyError, ValueError, ZeroDivisionError):
        pass
    try:
        return min(60.0, max(0.05, float(retry_after)))
    except (TypeError, ValueError):
        return 1.0
