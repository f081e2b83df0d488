"""A refund makes the same event whether its refunds/create webhook arrives or reconciliation finds
it: one request id, one replacement. Held against what the web tier queues for the webhook."""

import json

import pytest

from replacements.refund_requests import refund_event, why_ignored
from tests.payloads import SHOP, sample, shopify_headers


def deliver(app, note: str | None, lines: list[dict] | None = None) -> tuple[dict, dict]:
    """The refund body, and the web tier's answer to it as a refunds/create delivery."""
    body = sample("refund-create.rest-2026-07.json")
    body.update(note=note)
    if lines is not None:
        body["refund_line_items"] = lines
    raw = json.dumps(body).encode()
    answer = app.test_client().post("/webhooks/shopify", data=raw, headers=shopify_headers(raw, topic="refunds/create"))
    return body, answer.json


@pytest.mark.parametrize("note", ["wrong size, please REPLACE  ", "replace" + "x" * 600])
def test_the_event_is_the_one_the_webhook_queues(app, queued, note):
    body, answer = deliver(app, note, [{"line_item_id": 518995019, "quantity": 1},
                                       {"line_item_id": 518995019, "quantity": 2}, {"line_item_id": 7, "quantity": 1}])

    made = refund_event(body["id"], body["order_id"], note,
                        [(line["line_item_id"], line["quantity"]) for line in body["refund_line_items"]])

    assert answer == {"status": "queued"}
    [(_task, [event], _headers)] = queued.messages()
    assert {**made, "shop": SHOP} == event
    assert made["request_id"] == "refund-929361472"
    assert made["lines"] == [{"line_item_id": 518995019, "quantity": 3}, {"line_item_id": 7, "quantity": 1}]


@pytest.mark.parametrize(("note", "why"), [
    ("wrong size", "refund note does not contain 'replace'"),
    (None, "refund note does not contain 'replace'"),
    ("Restocked with request replace-me-1", "refund made by this service"),
])
def test_what_is_ignored_is_what_the_webhook_ignores(app, note, why):
    assert why_ignored(note, "replace") == why
    assert deliver(app, note)[1] == {"status": "ignored", "reason": why}


def test_a_shipping_only_refund_makes_no_event():
    assert refund_event(1, 2, "replace", []) is None
