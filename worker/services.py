"""What a worker process talks to, made once per process on first use: the Redis store, the
metrics, and one Shopify client per shop (each with the shop's shared budget)."""

from __future__ import annotations

import functools

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from core.metrics import Metrics
from core.settings import Settings
from core.store import State
from shopify.budget import SharedBudget
from shopify.client import ShopifyClient
from shopify.tokens import tokens_for


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings

    @functools.cached_property
    def state(self) -> State:
        # Ride out a Redis restart of a few seconds inside the task: a task that fails while
        # Redis is down cannot even publish its retry.
        retry = Retry(ExponentialBackoff(cap=1.0, base=0.1), retries=8)
        return State(redis.Redis.from_url(self.settings.redis_url, socket_timeout=5, socket_connect_timeout=3,
                                          retry=retry, retry_on_error=[redis.ConnectionError, redis.TimeoutError]),
                     retention_seconds=self.settings.retention_days * 86400)

    @functools.cached_property
    def metrics(self) -> Metrics:
        return Metrics.from_url(self.settings.redis_url)

    @functools.cache  # noqa: B019 (one Services per process, kept for its life)
    def client_for(self, shop_domain: str) -> ShopifyClient:
        shop = self.settings.shop(shop_domain)
        if shop is None:
            raise LookupError(f"shop {shop_domain} is not configured")
        return ShopifyClient(shop, budget=SharedBudget(self.state.client, shop.domain), metrics=self.metrics,
                             tokens=tokens_for(shop, self.state.client, self.metrics))
