"""The `@idempotent(key:)` directive, required on refundCreate from 2026-04."""

from __future__ import annotations

import json
from collections.abc import Callable

from graphql import GraphQLError, GraphQLResolveInfo
from graphql.execution.values import get_directive_values

from sandbox.store import Store

MISMATCH = "The same idempotency key cannot be used with different operation parameters."


def idempotency_key(info: GraphQLResolveInfo) -> str:
    directive = info.schema.get_directive("idempotent")
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) if directive else None
    if values is None:
        # Not required by the schema, but Shopify rejects the call at runtime from 2026-04 on.
        raise GraphQLError(
            f"The {info.field_name} mutation requires an idempotency key. "
            "Provide one with the @idempotent(key:) directive.",
            extensions={"code": "IDEMPOTENCY_KEY_REQUIRED"},
        )
    key = values["key"]
    if not key.strip():
        raise GraphQLError("The idempotency key cannot be an empty string or whitespace only.",
                           extensions={"code": "BAD_REQUEST"})
    return key


def run_once(store: Store, info: GraphQLResolveInfo, args: dict, action: Callable[[], object]) -> object:
    """The first result for this key; a second call with other arguments is refused as on Shopify."""
    key = idempotency_key(info)
    fingerprint = json.dumps([info.field_name, args], sort_keys=True, default=str)
    record = store.idempotency.get(key)
    if record is not None:
        if record["fingerprint"] != fingerprint:
            raise GraphQLError(MISMATCH, extensions={"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"})
        return record["result"]
    result = action()
    store.idempotency[key] = {"fingerprint": fingerprint, "result": result}
    return result
