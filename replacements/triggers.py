"""Reading tags as Shopify sends them: a comma-separated string in webhooks, a list in GraphQL."""

from __future__ import annotations

from dataclasses import dataclass

CODE_SEPARATORS = (":", "-")
# The tags this service writes (on replacements, drafts and originals). None of them may read as
# a trigger, or the service's own orders would ask for replacements: settings refuse such a tag.
REPLACEMENT_TAG = "replacement"
ISSUED_TAG = "replacement-issued"
FAILED_TAG = "replacement-failed"
PENDING_TAG = "replacement-pending-approval"
REVIEW_TAG = "replacement-review"
BACKORDER_TAG = "replacement-backorder"
SERVICE_TAGS = (REPLACEMENT_TAG, "replacement-for-1001", ISSUED_TAG, FAILED_TAG, PENDING_TAG, REVIEW_TAG,
                BACKORDER_TAG)


@dataclass(frozen=True)
class Trigger:
    """A trigger tag found on an order: the plain tag (`code` None), or `<tag>:<code>` / `<tag>-<code>`."""

    tag: str
    code: str | None


def parse_tags(tags: str | list | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(tag).strip() for tag in tags if str(tag).strip()]


def triggers(tags: str | list | None, trigger: str) -> list[Trigger]:
    """Every form of the trigger tag the order holds, as written on it."""
    base = trigger.lower()
    found = []
    for tag in parse_tags(tags):
        lowered = tag.lower()
        if lowered == base:
            found.append(Trigger(tag, None))
        elif lowered.startswith(base) and lowered[len(base)] in CODE_SEPARATORS and lowered[len(base) + 1:].strip():
            found.append(Trigger(tag, lowered[len(base) + 1:].strip()))
    return found


def find_trigger(tags: str | list | None, trigger: str) -> Trigger | None:
    """The trigger that asks for the replacement: one with a reason code wins over the plain tag."""
    found = triggers(tags, trigger)
    return next((t for t in found if t.code), found[0] if found else None)
