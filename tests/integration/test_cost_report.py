"""The cost report read back from the sandbox store: one replacement made through the whole flow,
others as Shopify would hold them (seeded), and the exact CSV, exclusions, totals and chart."""

from datetime import UTC, datetime

import pytest
import requests

from ops import report
from shopify import documents as docs
from shopify.client import ShopifyClient
from tests.integration.conftest import send_order_webhook, wait_for_request

SINCE = "2026-11-01"


def replacement_spec(created_at: str, original: str, reason: str, via: str, request_id: str, lines: list,
                     **extra) -> dict:
    return {"created_at": created_at, "tags": ["replacement", f"replacement-for-{original.lstrip('#')}"],
            "note": f"Replacement for {original}: {reason} (via {via})", "line_items": lines,
            "custom_attributes": [{"key": "Replacement for", "value": original},
                                  {"key": "Replacement reason", "value": reason},
                                  {"key": "Replacement request", "value": request_id}], **extra}


@pytest.fixture
def replacements(web, shop, state, workers, sandbox, service_env):
    """#1002 through the flow today; #1003 and #1004 seeded this month (one cancelled); #1005 before the
    range; #1006 not a replacement; one draft held for approval (#D1 is the completed draft of #1002)."""
    shop.tag(add=["needs-replacement"])
    assert send_order_webhook(web, shop.rest_order(), "wh-report", "ev-report").json == {"status": "queued"}
    assert wait_for_request(state, "admin-450789469-1")["status"] == "done"
    specs = [
        replacement_spec("2026-11-02T10:00:00Z", "#1001", "damaged in transit", "zendesk ticket 4521",
                         "zendesk-example-4521",
                         [{"variant_id": 39072856, "quantity": 2}, {"title": "Gift wrap", "price": "5.00"}]),
        replacement_spec("2026-11-10T09:00:00Z", "#1001", "lost", "API", "api-7",
                         [{"variant_id": 49148385, "quantity": 1}], cancelled=True),
        replacement_spec("2026-10-20T09:00:00Z", "#1001", "lost", "API", "api-1",
                         [{"variant_id": 49148385, "quantity": 1}]),
        {"created_at": "2026-11-03T09:00:00Z", "line_items": [{"variant_id": 49148385, "quantity": 1}]},
    ]
    requests.post(f"{sandbox.url}/_sandbox/orders", json={"orders": specs}, timeout=5).raise_for_status()
    client = ShopifyClient(web.application.config["SETTINGS"].default_shop)
    client.mutate(docs.DRAFT_ORDER_CREATE, {"input": {
        "lineItems": [{"variantId": "gid://shopify/ProductVariant/457924702", "quantity": 1,
                       "appliedDiscount": {"valueType": "PERCENTAGE", "value": 100.0, "title": "Replacement"}}],
        "tags": ["replacement", "replacement-for-1001", "replacement-pending-approval"],
        "note": "Replacement for #1001: wrong colour (via admin tag)",
        "customAttributes": [{"key": "Replacement for", "value": "#1001"},
                             {"key": "Replacement reason", "value": "wrong colour"},
                             {"key": "Replacement request", "value": "admin-450789469-9"}]}}, "draftOrderCreate")


def test_report_csv_exclusions_totals_and_chart(replacements, service_env, monkeypatch, tmp_path, capsys):
    for key, value in service_env.items():
        monkeypatch.setenv(key, value)
    today = datetime.now(UTC).date().isoformat()
    paths = {name: tmp_path / name for name in ("r.csv", "exclude.txt", "chart.png")}

    assert report.main(["--since", SINCE, "--until", today, "--csv", str(paths["r.csv"]),
                        "--exclude", str(paths["exclude.txt"]), "--chart", str(paths["chart.png"])]) == 0

    assert paths["r.csv"].read_text().splitlines() == [
        "date,original_order,replacement_order,source,reason,skus,units,retail_value,cost_value,currency,status,"
        "request_id",
        "2026-11-02,#1001,#1003,zendesk ticket 4521,damaged in transit,IPOD2008GREEN x2; Gift wrap x1,3,403.00,,USD,"
        "completed,zendesk-example-4521",
        "2026-11-10,#1001,#1004,API,lost,IPOD2008RED x1,1,199.00,120.00,USD,cancelled,api-7",
        f"{today},#1001,#1002,admin tag,replacement requested,IPOD2008RED x1,1,199.00,120.00,USD,completed,"
        "admin-450789469-1",
        f"{today},#1001,#D2,admin tag,wrong colour,IPOD2008BLACK x1,1,199.00,120.00,USD,draft,admin-450789469-9",
    ]
    assert paths["exclude.txt"].read_text() == "#1002\n#1003\n#1004\n"
    assert capsys.readouterr().out.splitlines() == [
        f"example.myshopify.com {SINCE} to {today}: 4 rows in {paths['r.csv']}, "
        f"order names to exclude in {paths['exclude.txt']}",
        f"chart in {paths['chart.png']}",
        "total USD: count 2, units 4, retail 602.00, cost 120.00 (1 without a unit cost in Shopify)",
        "reason 'damaged in transit' USD: count 1, units 3, retail 403.00, cost 0.00 "
        "(1 without a unit cost in Shopify)",
        "reason 'replacement requested' USD: count 1, units 1, retail 199.00, cost 120.00",
        "source 'admin tag' USD: count 1, units 1, retail 199.00, cost 120.00",
        "source 'zendesk' USD: count 1, units 3, retail 403.00, cost 0.00 (1 without a unit cost in Shopify)",
        "not counted: 1 cancelled",
        "not counted: 1 draft",
    ]
    chart = paths["chart.png"].read_bytes()
    assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 10_000
