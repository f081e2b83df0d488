"""Locate the shared Shopify files: the Admin API schema and Shopify's sample payloads."""

from __future__ import annotations

import os
from pathlib import Path

SCHEMA_FILE = "admin-2026-04.graphql"
ORDER_SAMPLE = "samples/order-tags-updated.rest-2026-07.json"


def shopify_dir() -> Path:
    """`$SHOPIFY_SHARED_DIR`, else the first `shared/shopify` beside this checkout or one of its parents."""
    override = os.environ.get("SHOPIFY_SHARED_DIR")
    candidates = [Path(override)] if override else []
    candidates += [parent / "shared" / "shopify" for parent in Path(__file__).resolve().parents]
    candidates.append(Path("/work/shared/shopify"))
    for candidate in candidates:
        if (candidate / SCHEMA_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"{SCHEMA_FILE} not found; set SHOPIFY_SHARED_DIR to the folder that holds it")
