"""A refund makes the same event whether its refunds/create webhook arrives or reconciliation finds
it: one request id, one replacement."""

import pytest

from replacements.refund_requests import refund_event, why_ignored
from tests.conftest import make_settings
from tests.payloads import sample
from web.shopify_webhooks import refund_created


def webhook(note: str | None, lines: list[dict] | None = None) -> dict:
    body = sample("refund-create.rest-2026-07.json")
    body.update(note=note)
    if lines is not None:
        body["refund_line_items"] = lines
    return body


@pytest.mark.parametrize("note", ["wrong size, please REPLACE  ", "replace" + "x" * 600])
def test_the_event_is_the_one_the_webhook_makes(note):
    body = webhook(note, [{"line_item_id": 518995019, "quantity": 1}, {"line_item_id": 518995019, "quantity": 2},
                          {"line_item_id": 7, "quantity": 1}])
    made = refund_event(body["id"], body["order_id"], note,
                        [(line["line_item_id"], line["quantity"]) for line in body["refund_line_items"]])

    assert made == refund_created(make_settings(), body).event
    assert made["request_id"] == "refund-929361472"
    assert made["lines"] == [{"line_item_id": 518995019, "quantity": 3}, {"line_item_id": 7, "quantity": 1}]


@pytest.mark.parametrize(("note", "why"), [
    ("wrong size", "refund note does not contain 'replace'"),
    (None, "refund note does not contain 'replace'"),
    ("Restocked with request replace-me-1", "refund made by this service"),
])
def test_what_is_ignored_is_what_the_webhook_ignores(note, why):
    assert why_ignored(note, "replace") == why
    assert refund_created(make_settings(), webhook(note)).ignored == why


def test_a_shipping_only_refund_makes_no_event():
    assert refund_event(1, 2, "replace", []) is None
