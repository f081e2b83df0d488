"""The replacement cost report as pure functions of what Shopify holds.

Input is the Admin GraphQL shape read by documents.REPLACEMENT_ORDERS and
REPLACEMENT_DRAFTS; every fact comes from the replacement order itself (its tags, note and
custom attributes), so the report is right even after the service's own state is gone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.errors import ReplacementError

COLUMNS = ("date", "original_order", "replacement_order", "source", "reason", "skus", "units",
           "retail_value", "cost_value", "currency", "status", "request_id")
COUNTED = "completed"
VIA = re.compile(r"\(via (?P<source>[^()]+)\)\s*$")
# "zendesk ticket 4521" and "zendesk ticket 4522" are one source when totals are grouped, as are
# "refund 98765" and "refund 98766".
SOURCE_DETAIL = re.compile(r"\s+(?:(?:ticket\b|#).*|[\w-]*\d[\w-]*)$", re.IGNORECASE)


class TooManyLines(ReplacementError):
    """A replacement order with more lines than one query reads: its totals would be wrong."""


@dataclass(frozen=True)
class Row:
    date: date
    original_order: str
    replacement_order: str
    source: str
    reason: str
    skus: str
    units: int
    retail_value: Decimal
    cost_value: Decimal | None
    currency: str
    status: str
    request_id: str

    def as_csv(self) -> list[str]:
        return [self.date.isoformat(), self.original_order, self.replacement_order, self.source, self.reason,
                self.skus, str(self.units), f"{self.retail_value:.2f}",
                "" if self.cost_value is None else f"{self.cost_value:.2f}", self.currency, self.status,
                self.request_id]


@dataclass
class Totals:
    count: int = 0
    units: int = 0
    retail_value: Decimal = Decimal("0.00")
    cost_value: Decimal = Decimal("0.00")
    rows_without_cost: int = 0

    def add(self, row: Row) -> None:
        self.count += 1
        self.units += row.units
        self.retail_value += row.retail_value
        if row.cost_value is None:
            self.rows_without_cost += 1
        else:
            self.cost_value += row.cost_value


@dataclass
class Summary:
    """Totals of completed replacements, per currency; drafts and cancelled orders are listed apart."""

    overall: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    by_reason: dict[tuple[str, str], Totals] = field(default_factory=lambda: defaultdict(Totals))
    by_source: dict[tuple[str, str], Totals] = field(default_factory=lambda: defaultdict(Totals))
    not_counted: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def row_from_order(order: dict) -> Row:
    return _row(order, order.get("note"), order["name"], "cancelled" if order.get("cancelledAt") else COUNTED)


def row_from_draft(draft: dict) -> Row:
    return _row(draft, draft.get("note2"), draft["name"], "draft")


def _row(node: dict, note: str | None, name: str, status: str) -> Row:
    if (node["lineItems"].get("pageInfo") or {}).get("hasNextPage"):
        raise TooManyLines(f"{name} has more lines than the report reads; total it by hand")
    attributes = {a["key"]: a["value"] for a in node.get("customAttributes") or []}
    lines = node["lineItems"]["nodes"]
    via = VIA.search(note or "")
    return Row(
        date=_utc_date(node["createdAt"]),
        original_order=attributes.get("Replacement for", ""),
        replacement_order=name,
        source=via.group("source").strip() if via else "",
        reason=attributes.get("Replacement reason", ""),
        skus="; ".join(f"{line.get('sku') or line.get('title') or '?'} x{line['quantity']}" for line in lines),
        units=sum(line["quantity"] for line in lines),
        retail_value=sum((_price(line) * line["quantity"] for line in lines), Decimal("0.00")),
        cost_value=_cost(lines),
        currency=node["currencyCode"],
        status=status,
        request_id=attributes.get("Replacement request", ""),
    )


def _price(line: dict) -> Decimal:
    return Decimal(str(line["originalUnitPriceSet"]["shopMoney"]["amount"]))


def _cost(lines: list[dict]) -> Decimal | None:
    """Unit cost as the inventory item holds it; unknown when any line has none."""
    total = Decimal("0.00")
    for line in lines:
        unit_cost = ((line.get("variant") or {}).get("inventoryItem") or {}).get("unitCost")
        if not unit_cost:
            return None
        total += Decimal(str(unit_cost["amount"])) * line["quantity"]
    return total


def _utc_date(timestamp: str) -> date:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()


def source_group(source: str) -> str:
    return SOURCE_DETAIL.sub("", source) or "unknown"


def report_rows(orders: list[dict], drafts: list[dict], since: date, until: date) -> list[Row]:
    """Rows of replacements created between `since` and `until` (both included), oldest first."""
    rows = [row_from_order(o) for o in orders] + [row_from_draft(d) for d in drafts]
    return sorted((r for r in rows if since <= r.date <= until), key=lambda r: (r.date, r.replacement_order))


def summarize(rows: list[Row]) -> Summary:
    summary = Summary()
    for row in rows:
        if row.status != COUNTED:
            summary.not_counted[row.status] += 1
            continue
        summary.overall[row.currency].add(row)
        summary.by_reason[(row.reason or "unknown", row.currency)].add(row)
        summary.by_source[(source_group(row.source), row.currency)].add(row)
    return summary


def summary_lines(summary: Summary) -> list[str]:
    lines = []
    for currency, totals in sorted(summary.overall.items()):
        lines.append(_totals_line(f"total {currency}", totals))
    for title, groups in (("reason", summary.by_reason), ("source", summary.by_source)):
        for (name, currency), totals in sorted(groups.items()):
            lines.append(_totals_line(f"{title} {name!r} {currency}", totals))
    if not summary.overall:
        lines.append("no completed replacements in this range")
    for status, count in sorted(summary.not_counted.items()):
        lines.append(f"not counted: {count} {status}")
    return lines


def _totals_line(label: str, totals: Totals) -> str:
    line = (f"{label}: count {totals.count}, units {totals.units}, "
            f"retail {totals.retail_value:.2f}, cost {totals.cost_value:.2f}")
    if totals.rows_without_cost:
        line += f" ({totals.rows_without_cost} without a unit cost in Shopify)"
    return line


def exclusions(rows: list[Row]) -> list[str]:
    """Order names to leave out of a sales export: every replacement that became an order."""
    return sorted({row.replacement_order for row in rows if row.status != "draft"})


def weekly_counts(rows: list[Row]) -> tuple[list[date], dict[str, list[int]]]:
    """Completed replacements per ISO week (keyed by its Monday), one series per reason."""
    counted = [row for row in rows if row.status == COUNTED]
    if not counted:
        return [], {}
    first = _monday(min(r.date for r in counted))
    last = _monday(max(r.date for r in counted))
    weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    series: dict[str, list[int]] = {}
    for row in counted:
        counts = series.setdefault(row.reason or "unknown", [0] * len(weeks))
        counts[(_monday(row.date) - first).days // 7] += 1
    return weeks, dict(sorted(series.items()))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
