"""Every helpdesk end to end: a signed ticket event through the web app, real Celery workers and
the sandbox store, to one replacement order (or a clear failure in the journal)."""

from __future__ import annotations

import time

import pytest

from core.metrics import queue_depth
from devtools.processes import wait_until
from tests.conftest import make_settings
from tests.integration.conftest import wait_for_request
from tests.web.helpdesks.senders import PROVIDERS, SECRETS, encode, secret_env, signed_headers, ticket_payload
from web import create_app

pytestmark = pytest.mark.usefixtures("workers")

RED_VARIANT = 49148385  # the one line of #1001 with a unit left (sku IPOD2008RED)


@pytest.fixture(scope="module")
def helpdesk_web(service_env):
    return create_app(make_settings(**service_env, **secret_env())).test_client()


def send(web, provider: str, **ticket):
    body = encode(ticket_payload(provider, **ticket))
    headers = signed_headers(provider, body, SECRETS[provider], time.time(), event_id=ticket.get("event_id", "ev-1"))
    return web.post(f"/webhooks/helpdesk/{provider}", data=body,
                    headers={"Content-Type": "application/json", **headers})


def queue_drained(redis_server) -> bool:
    """Nothing waiting and nothing being worked on (tasks are acknowledged when they end)."""
    client = redis_server.client()
    return queue_depth(client) == 0 and client.hlen("unacked") == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tagged_ticket_makes_one_replacement_with_its_lines_and_reason(helpdesk_web, state, shop, redis_server,
                                                                       provider):
    ticket = {"ticket_id": "101", "lines": "IPOD2008RED x 1", "reason": "Arrived broken", "event_id": "ev-1"}
    assert send(helpdesk_web, provider, **ticket).json == {"status": "queued"}

    record = wait_for_request(state, f"{provider}-example-101")
    assert record["status"] == "done", record.get("reason")
    replacement, = shop.replacements()
    assert [(line["variant_id"], line["quantity"]) for line in replacement["line_items"]] == [(RED_VARIANT, 1)]
    assert replacement["note"] == f"Replacement for #1001: Arrived broken (via {provider} ticket 101)"
    assert "replacement-issued" in shop.order("#1001")["tags"]

    assert send(helpdesk_web, provider, **ticket).json == {"status": "duplicate"}
    assert send(helpdesk_web, provider, **{**ticket, "event_id": "ev-2"}).json == {"status": "duplicate"}
    # Past the web tier's dedupe marks (expired, or another web process), the request id holds.
    client = redis_server.client()
    client.delete(*client.keys("rw:seen:*"))
    assert send(helpdesk_web, provider, **{**ticket, "event_id": "ev-3"}).json == {"status": "queued"}
    wait_until(lambda: queue_drained(redis_server), 20, message="the repeat to be worked off")
    assert len(shop.replacements()) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_ticket_without_the_tag_is_ignored(helpdesk_web, shop, redis_server, provider):
    response = send(helpdesk_web, provider, ticket_id="102", tags=("vip", "refund"))
    assert response.json == {"status": "ignored", "reason": "ticket 102 has no replace tag"}
    assert queue_drained(redis_server)
    assert shop.replacements() == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_ticket_whose_order_cannot_be_found_fails_with_its_reason_in_the_journal(helpdesk_web, state, shop,
                                                                                 provider):
    assert send(helpdesk_web, provider, ticket_id="103", order="#9999").json == {"status": "queued"}
    record = wait_for_request(state, f"{provider}-example-103")
    assert (record["status"], record["reason"]) == ("failed", "order #9999 not found")
    assert state.journal_entries(f"{provider}-example-103")[-1]["detail"] == {"reason": "order #9999 not found"}
    assert shop.replacements() == []


def test_ticket_with_only_the_email_replaces_the_customers_latest_order(helpdesk_web, state, shop):
    send(helpdesk_web, "zendesk", ticket_id="104", order=None, email="bob.norman@mail.example.com")
    record = wait_for_request(state, "zendesk-example-104")
    assert record["status"] == "done", record.get("reason")
    assert shop.replacements()[0]["note"].startswith("Replacement for #1001: ")


def test_ticket_whose_customer_has_no_order_fails_clearly(helpdesk_web, state):
    send(helpdesk_web, "gorgias", ticket_id="105", order=None, email="nobody@example.com")
    record = wait_for_request(state, "gorgias-example-105")
    assert (record["status"], record["reason"]) == ("failed", "no order found for the customer's email")


def test_quantity_above_what_the_order_holds_fails_naming_the_line(helpdesk_web, state, shop):
    send(helpdesk_web, "helpscout", ticket_id="106", lines="IPOD2008RED x 3")
    record = wait_for_request(state, "helpscout-example-106")
    assert (record["status"], record["reason"]) == (
        "failed", "line IPOD2008RED: 3 requested but the order holds 1")
    assert "replacement-failed" in shop.order("#1001")["tags"]
