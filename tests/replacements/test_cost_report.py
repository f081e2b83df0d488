"""The cost report's rows, totals and weekly series, from plain dicts shaped like Shopify's answers."""

from datetime import date
from decimal import Decimal

import pytest

from replacements.cost_report import (
    TooManyLines,
    exclusions,
    report_rows,
    row_from_draft,
    row_from_order,
    source_group,
    summarize,
    summary_lines,
    weekly_counts,
)


def line(sku: str, quantity: int, price: str, cost: str | None = "120.00") -> dict:
    return {"sku": sku, "title": sku, "quantity": quantity,
            "originalUnitPriceSet": {"shopMoney": {"amount": price}},
            "variant": {"inventoryItem": {"unitCost": {"amount": cost} if cost else None}}}


def replacement(name: str, created: str, reason: str, via: str, *lines: dict, original: str = "#1001",
                cancelled: bool = False) -> dict:
    return {"id": f"gid://shopify/Order/{name[1:]}", "name": name, "createdAt": created,
            "cancelledAt": "2026-11-20T00:00:00Z" if cancelled else None,
            "note": f"Replacement for {original}: {reason} (via {via})", "currencyCode": "USD",
            "customAttributes": [{"key": "Replacement for", "value": original},
                                 {"key": "Replacement reason", "value": reason},
                                 {"key": "Replacement request", "value": f"req-{name[1:]}"}],
            "lineItems": {"nodes": list(lines)}}


ORDERS = [
    replacement("#1002", "2026-11-02T10:00:00Z", "damaged", "admin tag", line("IPOD-PINK", 1, "199.00")),
    replacement("#1003", "2026-11-03T23:59:59Z", "lost", "zendesk ticket 4521",
                line("IPOD-PINK", 2, "199.00"), line("CASE", 1, "19.50", cost=None)),
    replacement("#1004", "2026-11-10T08:00:00Z", "damaged", "zendesk ticket 4600", line("CASE", 3, "19.50", "4.25")),
    replacement("#1005", "2026-11-11T08:00:00Z", "damaged", "API", line("CASE", 1, "19.50", "4.25"), cancelled=True),
    replacement("#0999", "2026-10-31T23:00:00Z", "damaged", "API", line("CASE", 1, "19.50", "4.25")),
]
DRAFT = {**replacement("#D7", "2026-11-12T08:00:00Z", "wrong item", "refund", line("IPOD-PINK", 1, "199.00")),
         "note2": "Replacement for #1001: wrong item (via refund)"}


def rows():
    return report_rows(ORDERS, [DRAFT], date(2026, 11, 1), date(2026, 11, 30))


def test_a_row_holds_what_the_replacement_order_carries():
    assert row_from_order(ORDERS[1]).as_csv() == [
        "2026-11-03", "#1001", "#1003", "zendesk ticket 4521", "lost", "IPOD-PINK x2; CASE x1", "3",
        "417.50", "", "USD", "completed", "req-1003"]
    assert row_from_order(ORDERS[3]).status == "cancelled"
    assert row_from_draft(DRAFT).status == "draft"
    assert row_from_draft(DRAFT).source == "refund"


def test_rows_are_those_created_in_the_range_oldest_first():
    assert [r.replacement_order for r in rows()] == ["#1002", "#1003", "#1004", "#1005", "#D7"]


def test_totals_count_completed_replacements_only():
    summary = summarize(rows())
    overall = summary.overall["USD"]
    assert (overall.count, overall.units, overall.retail_value, overall.cost_value, overall.rows_without_cost) == (
        3, 7, Decimal("675.00"), Decimal("132.75"), 1)
    assert summary.by_reason[("damaged", "USD")].retail_value == Decimal("257.50")
    assert summary.by_source[("zendesk", "USD")].count == 2
    assert summary_lines(summary) == [
        "total USD: count 3, units 7, retail 675.00, cost 132.75 (1 without a unit cost in Shopify)",
        "reason 'damaged' USD: count 2, units 4, retail 257.50, cost 132.75",
        "reason 'lost' USD: count 1, units 3, retail 417.50, cost 0.00 (1 without a unit cost in Shopify)",
        "source 'admin tag' USD: count 1, units 1, retail 199.00, cost 120.00",
        "source 'zendesk' USD: count 2, units 6, retail 476.00, cost 12.75 "
        "(1 without a unit cost in Shopify)",
        "not counted: 1 cancelled",
        "not counted: 1 draft",
    ]


def test_an_empty_range_says_so():
    assert summary_lines(summarize([])) == ["no completed replacements in this range"]


def test_exclusions_are_the_replacement_orders_not_the_drafts():
    assert exclusions(rows()) == ["#1002", "#1003", "#1004", "#1005"]


def test_weekly_counts_per_reason_by_monday():
    weeks, series = weekly_counts(rows())
    assert weeks == [date(2026, 11, 2), date(2026, 11, 9)]
    assert series == {"damaged": [1, 1], "lost": [1, 0]}


def test_weekly_counts_keep_empty_weeks():
    spread = report_rows([ORDERS[0], replacement("#1010", "2026-11-25T08:00:00Z", "lost", "API", line("CASE", 1, "1"))],
                         [], date(2026, 11, 1), date(2026, 11, 30))
    weeks, series = weekly_counts(spread)
    assert weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert series == {"damaged": [1, 0, 0, 0], "lost": [0, 0, 0, 1]}


def test_source_group_drops_the_ticket():
    assert source_group("zendesk ticket 4521") == "zendesk"
    assert source_group("helpdesk #77") == "helpdesk"
    assert source_group("admin tag") == "admin tag"
    assert source_group("refund 98765") == "refund"
    assert source_group("API") == "API"
    assert source_group("") == "unknown"


def test_a_replacement_with_more_lines_than_read_stops_the_report():
    truncated = replacement("#1099", "2026-11-02T10:00:00Z", "lost", "API", line("CASE", 1, "1"))
    truncated["lineItems"]["pageInfo"] = {"hasNextPage": True}
    with pytest.raises(TooManyLines, match="#1099 has more lines than the report reads"):
        row_from_order(truncated)


def test_the_chart_is_a_png_even_for_an_empty_range(tmp_path):
    from ops.report_chart import write_chart

    for name, chart_rows in (("some.png", rows()), ("none.png", [])):
        write_chart(chart_rows, tmp_path / name, "title")
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
