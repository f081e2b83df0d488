"""Running the operator commands in the test's own process: their environment, set for the test
and taken back, and the root logger they configure put back as it was."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

# What may be in the outer environment and would change which shop, mode or address a command sees.
SHOP_VARIABLES = ("SHOPIFY_ACCESS_TOKEN", "SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET", "SHOPIFY_WEBHOOK_SECRET",
                  "WEBHOOK_URL", "SHOPS_FILE")


@contextmanager
def command_environment(monkeypatch: pytest.MonkeyPatch, env: dict) -> Iterator[dict]:
    for key in SHOP_VARIABLES:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield env
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def configure(store_url: str, **config) -> None:
    """The sandbox's settings (POST /_sandbox/config)."""
    requests.post(f"{store_url}/_sandbox/config", json=config, timeout=5).raise_for_status()
