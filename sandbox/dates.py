"""Timestamps: stored as aware UTC datetimes, printed as GraphQL (UTC, `Z`) or REST (shop offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

# The REST samples print every time at -05:00; the sandbox shop keeps that fixed offset.
SHOP_OFFSET = timezone(timedelta(hours=-5))


def now() -> datetime:
    return datetime.now(UTC)


def parse_datetime(text: str) -> datetime:
    """ISO 8601 with `Z`, an offset, or a bare date (midnight UTC)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def graphql_datetime(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rest_datetime(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHOP_OFFSET).isoformat(timespec="seconds")
