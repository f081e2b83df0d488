"""The webhook subscriptions the service needs, and the steps from what a shop has to them.

Pure: `plan` compares `WANTED` with the subscriptions the Admin API lists. A Dev Dashboard app
declares them in `shopify.app.toml` (tests/test_app_configuration.py holds it to `WANTED`); a
legacy custom app registers them through the API (`python -m ops.webhooks`, and beat puts back
what Shopify deletes after 8 failed deliveries: shopify/webhook_subscriptions.py does the calls).
The compliance topics cannot be subscribed through the API: only the app configuration sets them.
"""

from __future__ import annotations

from dataclasses import dataclass

# What web/shopify_webhooks.py reads from each body; the rest is traffic for nothing.
ORDER_FIELDS = ("id", "admin_graphql_api_id", "name", "tags", "updated_at")
REFUND_FIELDS = ("id", "order_id", "note", "refund_line_items")
CANCELLED_FIELDS = ("id", "admin_graphql_api_id")
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


@dataclass(frozen=True)
class Wanted:
    topic: str
    include_fields: tuple[str, ...]

    def as_input(self, uri: str) -> dict:
        # No delivery filter: Shopify matches it against the payload's comma-separated `tags`
        # string, and does not document that `tags:needs-replacement*` finds a tag that is not
        # first. The receiver decides, at the cost of an ignored delivery (README, Connect your
        # shop). `filter: None` also clears the one an earlier release registered.
        return {"uri": uri, "format": "JSON", "filter": None, "includeFields": list(self.include_fields)}

    def matches(self, existing: dict) -> bool:
        return not existing.get("filter") and set(existing.get("includeFields") or ()) == set(self.include_fields)


WANTED = (
    Wanted("ORDERS_UPDATED", ORDER_FIELDS),
    Wanted("REFUNDS_CREATE", REFUND_FIELDS),
    Wanted("ORDERS_CANCELLED", CANCELLED_FIELDS),
)


@dataclass(frozen=True)
class Step:
    action: str  # "create", "update" or "keep"
    wanted: Wanted
    uri: str
    existing_id: str | None = None

    @property
    def topic(self) -> str:
        return self.wanted.topic

    @property
    def input(self) -> dict:
        return self.wanted.as_input(self.uri)


def plan(existing: list[dict], uri: str) -> list[Step]:
    """One step per wanted topic; a subscription of the topic at another address is left alone."""
    steps = []
    for want in WANTED:
        same = next((sub for sub in existing if sub["topic"] == want.topic and sub["uri"] == uri), None)
        if same is None:
            steps.append(Step("create", want, uri))
        else:
            steps.append(Step("keep" if want.matches(same) else "update", want, uri, same["id"]))
    return steps


def missing(existing: list[dict]) -> list[str]:
    """Wanted topics with no subscription at any address."""
    subscribed = {sub["topic"] for sub in existing}
    return [want.topic for want in WANTED if want.topic not in subscribed]


def outdated(existing: list[dict]) -> list[str]:
    """Wanted topics subscribed, but never as wanted (a delivery filter, other fields)."""
    return [want.topic for want in WANTED
            if any(sub["topic"] == want.topic for sub in existing)
            and not any(sub["topic"] == want.topic and want.matches(sub) for sub in existing)]


def duplicated(existing: list[dict]) -> list[str]:
    """Wanted topics the Admin API also delivers: with the app configuration's, every event twice."""
    return [want.topic for want in WANTED if any(sub["topic"] == want.topic for sub in existing)]
