"""The replacement cost report, read from Shopify (the source of truth, not Redis).

    .venv/bin/python -m ops.report --since 2026-11-01 --until 2026-11-30 [--shop x.myshopify.com]
        [--csv replacements.csv] [--exclude replacements-exclude.txt] [--chart replacements.png]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ops.cli import chosen_shops, shopify_client
from replacements.configuration import load_settings_or_exit
from replacements.cost_report import COLUMNS, Row, TooManyLines, exclusions, report_rows, summarize, summary_lines
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.pagination import all_nodes


def fetch_rows(client: ShopifyClient, since: date, until: date) -> list[Row]:
    created = f"created_at:>={since.isoformat()} created_at:<{(until + timedelta(days=1)).isoformat()}"
    orders = all_nodes(client, docs.REPLACEMENT_ORDERS, "orders", {"query": f"tag:replacement {created}"})
    drafts = all_nodes(client, docs.REPLACEMENT_DRAFTS, "draftOrders",
                       {"query": f"tag:replacement status:open {created}"})
    return report_rows(list(orders), list(drafts), since, until)


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(row.as_csv() for row in rows)


def main(argv: list[str] | None = None) -> int:
    today = datetime.now(UTC).date()
    parser = argparse.ArgumentParser(prog="python -m ops.report", description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=date.fromisoformat, default=today - timedelta(days=30),
                        help="first day, YYYY-MM-DD (UTC); default 30 days ago")
    parser.add_argument("--until", type=date.fromisoformat, default=today, help="last day, included; default today")
    parser.add_argument("--shop", help="shop domain; default the first configured shop")
    parser.add_argument("--csv", type=Path, default=Path("replacements.csv"), help="one row per replacement")
    parser.add_argument("--exclude", type=Path, default=Path("replacements-exclude.txt"),
                        help="replacement order names to leave out of sales exports, one per line")
    parser.add_argument("--chart", type=Path, nargs="?", const=Path("replacements.png"),
                        help="also write a PNG of replacements per week by reason")
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    shop = chosen_shops(settings, args.shop)[0] if args.shop else settings.default_shop
    try:
        rows = fetch_rows(shopify_client(settings, shop), args.since, args.until)
    except TooManyLines as error:
        print(f"report not written: {error}", file=sys.stderr)
        return 1
    write_csv(rows, args.csv)
    args.exclude.write_text("".join(f"{name}\n" for name in exclusions(rows)), encoding="utf-8")
    print(f"{shop.domain} {args.since} to {args.until}: {len(rows)} rows in {args.csv}, "
          f"order names to exclude in {args.exclude}")
    if args.chart:
        from ops.report_chart import write_chart  # matplotlib is slow to import: only when asked

        write_chart(rows, args.chart, f"Replacements per week by reason, {shop.domain}")
        print(f"chart in {args.chart}")
    for line in summary_lines(summarize(rows)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
