"""Relay connections with Shopify's rules: `first` or `last` required, at most 250 per page, opaque cursors.

A cursor encodes the item's sort key, so it stays valid while items are added.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence

from graphql import GraphQLError, GraphQLResolveInfo, Undefined

from sandbox.errors import not_implemented

MAX_PAGE_SIZE = 250


def encode_cursor(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str) -> list:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise GraphQLError(f"Invalid cursor: {cursor}", extensions={"code": "BAD_REQUEST"}) from None


def reject_unmodelled_args(info: GraphQLResolveInfo, args: dict) -> None:
    """Arguments the sandbox ignores would change Shopify's answer: refuse them unless left at their default."""
    if not args:
        return
    definitions = info.parent_type.fields[info.field_name].args
    for name, value in args.items():
        default = definitions[name].default_value
        if value is not None and (default is Undefined or value != default):
            raise not_implemented(f"the `{name}` argument of {info.parent_type.name}.{info.field_name}")


def connection(
    info: GraphQLResolveInfo,
    items: Sequence,
    view: Callable,
    sort_key: Callable[[object], list] = lambda item: [item["id"]],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    reverse: bool = False,
    **unmodelled,
) -> dict:
    """A connection over `items` (already filtered), ordered by `sort_key`, each shown with `view`."""
    reject_unmodelled_args(info, unmodelled)
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    keyed = sorted(((sort_key(item), item) for item in items), key=lambda pair: pair[0], reverse=bool(reverse))
    start, end = 0, len(keyed)
    if after:
        mark = _decode_cursor(after)
        start = next((i for i, (key, _) in enumerate(keyed) if (key < mark if reverse else key > mark)), len(keyed))
    if before:
        mark = _decode_cursor(before)
        end = next((i for i, (key, _) in enumerate(keyed) if (key <= mark if reverse else key >= mark)), len(keyed))
        end = max(end, start)
    if first is not None:
        end = min(end, start + min(max(first, 0), MAX_PAGE_SIZE))
    if last is not None:
        start = max(start, end - min(max(last, 0), MAX_PAGE_SIZE))
    page = keyed[start:end]
    views = [view(item) for _, item in page]
    cursors = [encode_cursor(key) for key, _ in page]
    return {
        "edges": [{"cursor": cursor, "node": node} for cursor, node in zip(cursors, views, strict=True)],
        "nodes": views,
        "pageInfo": {
            "hasNextPage": end < len(keyed),
            "hasPreviousPage": start > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def limited(items: list, first: int | None) -> list:
    """A plain list field with an optional `first` argument."""
    return items if first is None else items[: max(first, 0)]


def in_given_order(items: list[dict]) -> Callable[[dict], list]:
    """A sort key that keeps `items` as listed (line items keep their order)."""
    positions = {id(item): position for position, item in enumerate(items)}
    return lambda item: [positions[id(item)]]
