"""Shopify global ids: `gid://shopify/Order/450789469`."""

from __future__ import annotations

import re

from graphql import GraphQLError

_GID = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)(?:\?.*)?$")


def gid(kind: str, legacy_id: int) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


def parse_gid(value: str) -> tuple[str, int]:
    """The (kind, legacy id) of a global id; Shopify's error for anything else."""
    match = _GID.match(value or "")
    if not match:
        raise GraphQLError(
            f"Invalid global id '{value}'",
            extensions={"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
        )
    return match["kind"], int(match["id"])


def legacy_id(value: str, kind: str) -> int | None:
    """The legacy id if `value` is a well-formed gid of `kind`, else None."""
    match = _GID.match(value or "")
    if not match or match["kind"] != kind:
        return None
    return int(match["id"])
