"""Stock per inventory item and location: available, committed, and reservations held by drafts.

Reservations are kept apart and subtracted from `available` while they last, so one expiring
(`reserveInventoryUntil` passed) hands its units back without any timer.
"""

from __future__ import annotations

from sandbox.dates import now
from sandbox.store import Store

QUANTITY_NAMES = (
    "available", "committed", "damaged", "incoming", "on_hand", "quality_control", "reserved", "safety_stock",
)


def reserved(store: Store, item_id: int, location_id: int) -> int:
    moment = now()
    return sum(
        r["quantity"] for r in store.reservations
        if r["item_id"] == item_id and r["location_id"] == location_id and r["until"] > moment
    )


def quantities(store: Store, item_id: int, location_id: int) -> dict[str, int]:
    level = store.levels[(item_id, location_id)]
    held = reserved(store, item_id, location_id)
    available = level["available"] - held
    counts = dict.fromkeys(QUANTITY_NAMES, 0)
    counts.update(available=available, committed=level["committed"], reserved=held)
    counts["on_hand"] = available + level["committed"] + held
    return counts


def available_total(store: Store, item_id: int) -> int:
    return sum(
        quantities(store, item, location)["available"] for (item, location) in store.levels if item == item_id
    )


def stocking_location(store: Store, item_id: int) -> int | None:
    """Where an order or draft takes this item from: the first location that stocks it."""
    return next((location for (item, location) in store.levels if item == item_id), None)


def reserve(store: Store, draft_id: int, item_id: int, quantity: int, until) -> None:
    location = stocking_location(store, item_id)
    if location is not None:
        store.reservations.append(
            {"draft_id": draft_id, "item_id": item_id, "location_id": location, "quantity": quantity, "until": until}
        )


def release(store: Store, draft_id: int) -> None:
    store.reservations = [r for r in store.reservations if r["draft_id"] != draft_id]


def commit(store: Store, item_id: int, quantity: int) -> None:
    """An order took these units: available down, committed up (the count may go negative, as on Shopify)."""
    location = stocking_location(store, item_id)
    if location is None:
        return
    level = store.levels[(item_id, location)]
    level["available"] -= quantity
    level["committed"] += quantity
    level["updated_at"] = now()


def restock(store: Store, item_id: int, location_id: int, quantity: int, uncommit: bool) -> None:
    """Units back on the shelf; `uncommit` when they were still committed to an unfulfilled order."""
    level = store.levels.get((item_id, location_id))
    if level is None:
        return
    level["available"] += quantity
    if uncommit:
        # Orders from the seed or from /_sandbox/orders never committed stock; don't go below zero for them.
        level["committed"] = max(0, level["committed"] - quantity)
    level["updated_at"] = now()
