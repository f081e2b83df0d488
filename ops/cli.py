"""What every command does first: read the settings and pick the shops it works on."""

from __future__ import annotations

import sys

from core.settings import ConfigError, Settings, Shop


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as error:
        sys.exit(f"configuration error: {error}")


def chosen_shops(settings: Settings, domain: str | None) -> list[Shop]:
    """The shop named (`--shop`), else every configured shop."""
    if domain is None:
        return list(settings.shops.values())
    shop = settings.shop(domain)
    if shop is None:
        sys.exit(f"shop {domain} is not configured (known: {', '.join(settings.shops)})")
    return [shop]
