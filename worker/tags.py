"""Reading tags as Shopify sends them: a comma-separated string in webhooks, a list in GraphQL."""

from __future__ import annotations


def parse_tags(tags: str | list | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(tag).strip() for tag in tags if str(tag).strip()]


def has_trigger(tags: str | list | None, trigger: str) -> bool:
    wanted = trigger.lower()
    return any(tag.lower() == wanted for tag in parse_tags(tags))
