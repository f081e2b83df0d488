"""The Admin API schema (2026-04), built once per process: building it takes about 1.5 s."""

from __future__ import annotations

import threading

from graphql import GraphQLSchema, build_schema

from sandbox.shared_files import SCHEMA_FILE, shopify_dir

_lock = threading.Lock()
_schema: GraphQLSchema | None = None


def admin_schema() -> GraphQLSchema:
    global _schema
    with _lock:
        if _schema is None:
            _schema = build_schema((shopify_dir() / SCHEMA_FILE).read_text())
        return _schema
