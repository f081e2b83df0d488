"""What every command does first: read the settings, pick the shops it works on, reach Redis."""

from __future__ import annotations

import sys

import redis
from celery import Celery

from core import keys
from core.settings import Settings, Shop
from core.store import State
from shopify.client import ShopifyClient
from shopify.tokens import tokens_for


def chosen_shops(settings: Settings, domain: str | None) -> list[Shop]:
    """The shop named (`--shop`), else every configured shop."""
    if domain is None:
        return list(settings.shops.values())
    shop = settings.shop(domain)
    if shop is None:
        sys.exit(f"shop {domain} is not configured (known: {', '.join(settings.shops)})")
    return [shop]


def store(settings: Settings) -> State:
    return State(redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=3),
                 retention_seconds=settings.retention_days * 86400)


def publisher(settings: Settings) -> Celery:
    """Sends tasks by name to the workers' queue (it runs none itself)."""
    app = Celery("replacement_ops", broker=settings.redis_url, set_as_current=False)
    app.conf.update(task_default_queue=keys.QUEUE, task_serializer="json", broker_connection_retry_on_startup=True)
    return app


def shopify_client(settings: Settings, shop: Shop) -> ShopifyClient:
    """A client that shares the shop's token with the running service (minted once, kept in Redis)."""
    return ShopifyClient(shop, tokens=tokens_for(shop, store(settings).client))
