"""The one way the service talks to Shopify's Admin GraphQL API.

Every call goes through `ShopifyClient`, so throttling, retries, error translation and
logging live here. Rules:

- THROTTLED (HTTP 200 or 429) is never a failure: wait until the bucket holds the requested
  cost, then send again. Nothing was applied, so this is safe for mutations too.
- Queries are retried in place on network errors and 5xx, with capped, jittered backoff.
- Mutations are not: a timeout or 5xx may come after Shopify applied the change. They raise
  RetryableShopifyError and the caller re-reads the world before trying again.
- 4xx and GraphQL errors are permanent; a mutation's userErrors raise ShopifyUserErrors.
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
from shopify.errors import PermanentShopifyError, RetryableShopifyError, ShopifyError, ShopifyUserErrors

log = logging.getLogger(__name__)

OPERATION_NAME = re.compile(r"\b(?:query|mutation)\s+(\w+)")
QUERY_ATTEMPTS = 3
THROTTLE_DEADLINE_SECONDS = 60.0


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
                 metrics: Metrics | None = None):
        self.shop = shop
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
            wait = _throttle_wait(cost, body.get("retry_after"))
            log.info("shopify throttled", extra={"operation": operation, "wait_seconds": round(wait, 2)})
            if time.monotonic() + wait > deadline:
                raise RetryableShopifyError(f"{operation}: throttled for too long", status, request_id)
            self.sleep(wait)
        if errors:
            messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                 for e in (errors if isinstance(errors, list) else [errors]))
            raise PermanentShopifyError(f"{operation}: {messages}", status, request_id)
        return body.get("data") or {}

    def _post(self, operation: str, document: str, variables: dict | None) -> tuple[dict, int, str | None]:
        started = time.monotonic()
        try:
            response = self.session.post(
                self.shop.graphql_url,
                json={"query": document, "variables": variables or {}},
                headers={"X-Shopify-Access-Token": self.shop.access_token},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            log.warning("shopify call failed", extra={"operation": operation, "error": type(error).__name__})
            raise RetryableShopifyError(f"{operation}: {type(error).__name__}") from error
        request_id = response.headers.get("X-Request-Id")
        log.info("shopify call", extra={
            "operation": operation, "status": response.status_code, "shopify_request_id": request_id,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        })
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


def _operation_name(document: str) -> str:
    match = OPERATION_NAME.search(document)
    return match.group(1) if match else "anonymous"


def _throttled(status: int, errors) -> bool:
    if status == 429:
        return True
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    )


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
