"""Whether a planned replacement is completed at once, held as a draft for a person, or refused.

Pure: the caller gathers the facts (the settings, the plan, what Shopify says about the
customer's earlier replacements and the stock) and passes them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.errors import PermanentFailure
from core.settings import Settings
from replacements.planner import Plan
from replacements.triggers import BACKORDER_TAG, PENDING_TAG, REVIEW_TAG


class OutOfStock(PermanentFailure):
    """No location that ships holds the units (with `OUT_OF_STOCK=fail`)."""


@dataclass(frozen=True)
class Facts:
    """What Shopify says: `earlier_replacements` of the customer within REPLACEMENT_LIMIT_DAYS
    (None: not counted, no limit or no customer); `available` units per variant id at locations
    that ship (None: the variant's inventory is not tracked); `store_limit`: why the store's
    circuit breaker refused a replacement that would otherwise complete (None: admitted or off)."""

    earlier_replacements: int | None = None
    available: Mapping[str, int | None] = field(default_factory=dict)
    store_limit: str | None = None


@dataclass(frozen=True)
class Review:
    hold: bool = False
    tags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    reserve_until: str | None = None


def review(settings: Settings, plan: Plan, now: datetime, facts: Facts) -> Review:
    holds: list[tuple[str, str]] = []
    if (plan.approval or settings.replacement_mode) == "draft":
        holds.append((PENDING_TAG, "the reason's preset asks for approval" if plan.approval == "draft"
                      else "REPLACEMENT_MODE is draft"))
    if settings.max_value is not None and plan.retail_value > settings.max_value:
        holds.append((REVIEW_TAG, f"retail value {plan.retail_value} {plan.currency} is above "
                                  f"REPLACEMENT_MAX_VALUE {settings.max_value}"))
    earlier = facts.earlier_replacements
    if settings.limit_per_customer is not None and earlier is not None and earlier >= settings.limit_per_customer:
        holds.append((REVIEW_TAG, f"the customer had {earlier} replacement(s) in {settings.limit_days} days; "
                                  f"REPLACEMENT_LIMIT_PER_CUSTOMER is {settings.limit_per_customer}"))
    if facts.store_limit:
        holds.append((REVIEW_TAG, facts.store_limit))
    short = shortages(plan, facts.available)
    if short:
        reason = "out of stock: " + ", ".join(short)
        if settings.out_of_stock == "fail":
            raise OutOfStock(reason)
        holds.append((BACKORDER_TAG, reason))
    if not holds:
        return Review()
    # A backordered draft has no units to hold; any other held draft keeps its units for a while.
    until = None if short else (now + timedelta(hours=settings.reserve_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Review(hold=True, tags=tuple(dict.fromkeys(tag for tag, _ in holds)),
                  reasons=tuple(reason for _, reason in holds), reserve_until=until)


def shortages(plan: Plan, available: Mapping[str, int | None]) -> list[str]:
    """`SKU X (needs 2, 1 available)` for each tracked variant the shipping locations cannot cover."""
    needed: dict[str, int] = {}
    labels: dict[str, str] = {}
    for line in plan.lines:
        needed[line.variant_id] = needed.get(line.variant_id, 0) + line.quantity
        labels[line.variant_id] = f"SKU {line.sku}" if line.sku else line.title
    short = []
    for variant_id, quantity in needed.items():
        units = available.get(variant_id)
        if units is not None and units < quantity:
            short.append(f"{labels[variant_id]} (needs {quantity}, {max(units, 0)} available)")
    return short
