"""The sandbox shop's data, in memory, behind one lock.

Records are plain dicts in REST's snake_case vocabulary; `views/` turns them into GraphQL
objects and `rest.py` into webhook bodies. Hold `store.lock` to read or change them.
"""

from __future__ import annotations

import itertools
import threading

from sandbox.bucket import LeakyBucket
from sandbox.calls import CallLog
from sandbox.config import Config
from sandbox.faults import FaultBook
from sandbox.shop_lock import ShopLock
from sandbox.tokens import TokenBook

# New ids start above 2^32 (real Shopify ids do too), so a client that squeezes them into an
# int32 breaks here as it would in production; they stay below 2^53 for JavaScript clients.
FIRST_NEW_ID = 5_000_000_000_001


class Store:
    def __init__(self, **config) -> None:
        from sandbox.webhooks import WebhookDispatcher

        self.lock = threading.RLock()
        self._start_config = dict(config)
        self.config = Config()
        self.config.update(config)
        self.bucket = LeakyBucket(self.config.bucket_size, self.config.bucket_restore_rate)
        self.faults = FaultBook()
        self.calls = CallLog()
        self.tokens = TokenBook()
        self.shop_lock = ShopLock()
        self.webhooks = WebhookDispatcher(self)
        self.reset()

    def reset(self) -> None:
        """Back to how the sandbox started: seed data, start-up settings, no faults, no calls, a full bucket."""
        from sandbox import seed

        with self.lock:
            self.config = Config()
            self.config.update(self._start_config)
            self.shop: dict = {}
            self.locations: dict[int, dict] = {}
            self.products: dict[int, dict] = {}
            self.variants: dict[int, dict] = {}
            self.inventory_items: dict[int, dict] = {}
            self.levels: dict[tuple[int, int], dict] = {}
            self.reservations: list[dict] = []
            self.customers: dict[int, dict] = {}
            self.orders: dict[int, dict] = {}
            self.draft_orders: dict[int, dict] = {}
            self.refunds: dict[int, dict] = {}
            self.webhook_subscriptions: dict[int, dict] = {}
            self.idempotency: dict[str, dict] = {}
            self.jobs: dict[str, dict] = {}
            self._ids = itertools.count(FIRST_NEW_ID)
            self.next_order_number = 1002
            self.next_draft_number = 1
            seed.populate(self)
        self.faults.clear()
        self.shop_lock.unlock()
        self.calls.clear()
        self.webhooks.clear_log()
        self.apply_bucket_config()

    def configure(self, changes: dict) -> None:
        self.config.update(changes)
        if {"plan", "restore_rate", "maximum_available"} & set(changes):
            self.apply_bucket_config()

    def apply_bucket_config(self) -> None:
        self.bucket.configure(self.config.bucket_size, self.config.bucket_restore_rate)

    def next_id(self) -> int:
        return next(self._ids)

    def granted_scopes(self) -> set[str]:
        """Granted scopes, where a write scope also grants its read scope as on Shopify."""
        scopes = set(self.config.scopes)
        return scopes | {"read_" + scope.removeprefix("write_") for scope in scopes if scope.startswith("write_")}
