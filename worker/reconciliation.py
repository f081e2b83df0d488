"""What reconciliation finds in Shopify that webhooks missed (an outage, a subscription Shopify
deleted): orders still carrying a trigger tag, and refunds made since the last run whose note
asks for a replacement. It makes the events the webhooks would have made; worker/tasks.py feeds
them through the same idempotent path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from core.settings import Settings
from replacements.refund_requests import refund_event, why_ignored
from replacements.triggers import CODE_SEPARATORS
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.pagination import all_nodes


def trigger_tag_query(tag: str, reasons: tuple[str, ...]) -> str:
    """Every form of the trigger tag as an exact `tag:` term: Shopify documents whole tags only
    (a prefix wildcard is not), so a reason code outside REASONS is left to the webhook."""
    forms = [tag, *(f"{tag}{separator}{code}" for code in reasons for separator in CODE_SEPARATORS)]
    return " OR ".join(f'tag:"{form}"' for form in forms)


def tagged_orders(client: ShopifyClient, settings: Settings) -> Iterator[str]:
    query = trigger_tag_query(settings.replacement_tag, settings.reasons)
    for order in all_nodes(client, docs.ORDERS_TAGGED, "orders", {"query": query}):
        yield order["id"]


def refund_events(client: ShopifyClient, settings: Settings, since: datetime,
                  known: Callable[[str], bool]) -> Iterator[dict]:
    """Refunds created since `since` (their orders were updated then) that ask for a replacement
    and whose request `known` does not know: their webhook was lost."""
    query = f"updated_at:>='{_iso(since)}'"
    for order in all_nodes(client, docs.RECENT_REFUNDS, "orders", {"query": query}):
        for refund in order["refunds"]:
            refund_id = _legacy_id(refund["id"])
            if (_parse(refund["createdAt"]) < since or why_ignored(refund["note"], settings.refund_keyword)
                    or known(f"refund-{refund_id}")):
                continue
            detail = client.query(docs.REFUND_LINES, {"id": refund["id"]})["refund"]
            lines = [(_legacy_id(node["lineItem"]["id"]), node["quantity"])
                     for node in detail["refundLineItems"]["nodes"]]
            event = refund_event(refund_id, _legacy_id(detail["order"]["id"]), detail["note"], lines)
            if event:
                yield event


def _legacy_id(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
