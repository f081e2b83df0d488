"""The webhook subscriptions the service needs, and what it takes to get there from what Shopify has.

Pure: `wanted` reads the settings, `plan` compares with the subscriptions listed by the Admin
API. Registering is `python -m ops.webhooks`; checking is part of `python -m ops.doctor`.
The compliance topics (customers/data_request, customers/redact, shop/redact) cannot be
subscribed through the API: they are set in the app's configuration (Partner Dashboard or
`shopify.app.toml` `compliance_topics`), pointing at the same `/webhooks/shopify`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings

# What web/shopify_webhooks.py reads from each body; the rest is traffic for nothing.
ORDER_FIELDS = ("id", "admin_graphql_api_id", "name", "tags", "updated_at")
REFUND_FIELDS = ("id", "order_id", "note", "refund_line_items")
CANCELLED_FIELDS = ("id", "admin_graphql_api_id")


@dataclass(frozen=True)
class Wanted:
    topic: str
    filter: str | None
    include_fields: tuple[str, ...]

    def as_input(self, uri: str) -> dict:
        subscription: dict = {"uri": uri, "format": "JSON"}
        if self.filter:
            subscription["filter"] = self.filter
        if self.include_fields:
            subscription["includeFields"] = list(self.include_fields)
        return subscription

    def matches(self, existing: dict) -> bool:
        return ((existing.get("filter") or None) == self.filter
                and set(existing.get("includeFields") or ()) == set(self.include_fields))


@dataclass(frozen=True)
class Step:
    action: str  # "create", "update" or "keep"
    wanted: Wanted
    existing_id: str | None = None


def wanted(settings: Settings) -> list[Wanted]:
    return [
        # Shopify sends orders/updated for every change to every order; only tagged ones matter
        # (the prefix keeps the reason forms, needs-replacement-damaged and needs-replacement:lost).
        Wanted("ORDERS_UPDATED", f"tags:{settings.replacement_tag}*", ORDER_FIELDS),
        Wanted("REFUNDS_CREATE", None, REFUND_FIELDS),
        Wanted("ORDERS_CANCELLED", None, CANCELLED_FIELDS),
    ]


def plan(wants: list[Wanted], existing: list[dict], uri: str) -> list[Step]:
    """One step per wanted topic; a subscription of the topic at another address is left alone."""
    steps = []
    for want in wants:
        same = next((sub for sub in existing if sub["topic"] == want.topic and sub["uri"] == uri), None)
        if same is None:
            steps.append(Step("create", want))
        else:
            steps.append(Step("keep" if want.matches(same) else "update", want, same["id"]))
    return steps


def missing(wants: list[Wanted], existing: list[dict]) -> list[str]:
    """Wanted topics with no subscription at any address."""
    subscribed = {sub["topic"] for sub in existing}
    return [want.topic for want in wants if want.topic not in subscribed]


def outdated(wants: list[Wanted], existing: list[dict]) -> list[str]:
    """Wanted topics subscribed, but never with the wanted filter and fields."""
    return [want.topic for want in wants
            if any(sub["topic"] == want.topic for sub in existing)
            and not any(sub["topic"] == want.topic and want.matches(sub) for sub in existing)]
