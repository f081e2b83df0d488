"""Whether a planned replacement is completed at once or held as a draft for a person.

Pure: the caller gathers the facts (the settings, the plan, counts read from Shopify).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from worker.planner import Plan
from worker.settings import Settings

PENDING_TAG = "replacement-pending-approval"


@dataclass(frozen=True)
class Review:
    hold: bool = False
    tags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())
    reserve_until: str | None = None


def review(settings: Settings, plan: Plan, now: datetime) -> Review:
    if settings.replacement_mode != "draft":
        return Review()
    until = (now + timedelta(hours=settings.reserve_hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Review(hold=True, tags=(PENDING_TAG,), reasons=("REPLACEMENT_MODE is draft",), reserve_until=until)
