"""Walking a paginated Admin API connection: every node, page after page."""

from __future__ import annotations

from collections.abc import Iterator

from shopify.client import ShopifyClient


def all_nodes(client: ShopifyClient, document: str, field: str, variables: dict | None = None) -> Iterator[dict]:
    """`document` takes `$after: String` and selects `nodes` and `pageInfo { hasNextPage endCursor }`."""
    after = None
    while True:
        page = client.query(document, {**(variables or {}), "after": after})[field]
        yield from page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]
