"""What happened to the shop, turned into webhook topics (delivered only where someone listens)."""

from __future__ import annotations

from sandbox import rest
from sandbox.store import Store


def order_created(store: Store, order: dict) -> None:
    store.webhooks.publish("orders/create", lambda: rest.render_order(store, order))
    order_updated(store, order)


def order_updated(store: Store, order: dict) -> None:
    # Shopify sends orders/updated for the app's own changes too (tagsAdd included): the echo is real.
    store.webhooks.publish("orders/updated", lambda: rest.render_order(store, order))


def order_cancelled(store: Store, order: dict) -> None:
    store.webhooks.publish("orders/cancelled", lambda: rest.render_order(store, order))
    order_updated(store, order)


def refund_created(store: Store, refund: dict, order: dict) -> None:
    store.webhooks.publish("refunds/create", lambda: rest.render_refund(store, refund))
    order_updated(store, order)
