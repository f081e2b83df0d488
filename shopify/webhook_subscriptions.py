"""The shop's API-created webhook subscriptions: listed, created, updated.

What the service wants and the steps to it are replacements/subscriptions.py's (pure);
`python -m ops.webhooks` and the worker's beat task both carry the steps out here. The list
never shows the subscriptions declared in `shopify.app.toml`: "Returns only shop-scoped
subscriptions, not app-scoped subscriptions configured in TOML files" (SDL webhookSubscriptions).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.pagination import all_nodes


class Step(Protocol):
    """replacements.subscriptions.Step, as far as the calls need it."""

    action: str  # "create", "update" or "keep"
    existing_id: str | None

    @property
    def topic(self) -> str: ...

    @property
    def input(self) -> dict: ...


def listed(client: ShopifyClient) -> list[dict]:
    return list(all_nodes(client, docs.WEBHOOK_SUBSCRIPTIONS, "webhookSubscriptions"))


def apply(client: ShopifyClient, steps: Iterable[Step]) -> None:
    for step in steps:
        if step.action == "create":
            client.mutate(docs.WEBHOOK_SUBSCRIPTION_CREATE, {"topic": step.topic, "webhookSubscription": step.input},
                          "webhookSubscriptionCreate")
        elif step.action == "update":
            client.mutate(docs.WEBHOOK_SUBSCRIPTION_UPDATE, {"id": step.existing_id, "webhookSubscription": step.input},
                          "webhookSubscriptionUpdate")
