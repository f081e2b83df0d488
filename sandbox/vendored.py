"""The Shopify files the repository keeps in `vendor/shopify`: the Admin API schema and Shopify's sample payloads."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "shopify"
SCHEMA_FILE = VENDOR / "admin-2026-04.graphql.gz"
SAMPLES = VENDOR / "samples"
ORDER_SAMPLE = SAMPLES / "order-tags-updated.rest-2026-07.json"


def schema_text() -> str:
    return gzip.decompress(SCHEMA_FILE.read_bytes()).decode()


def sample(name: str) -> dict:
    """A sample's inner object: the webhook body (`{"order": {...}}` -> `{...}`)."""
    data = json.loads((SAMPLES / name).read_text())
    return data.get("order") or data.get("refund")
