"""Closing the loop end to end, with real worker processes and the sandbox store: a helpdesk
ticket becomes a replacement and exactly one private note on that ticket, at a local stand-in of
the vendor's API, with the order number and its admin link; a failure or a hold writes why; an
events receiver verifying with `standardwebhooks.Webhook` gets each outcome once, and after
failures gets it again under the same webhook-id. A helpdesk that refuses the note never touches
the replacement.

The service runs with settings of its own on its own Redis and workers (`own_service`): every helpdesk's
`<PROVIDER>_API_URL` points at one stand-in (`/<provider>/...`), `EVENTS_URL` at another."""

from __future__ import annotations

import json
import time

import pytest
from standardwebhooks import Webhook

from core.metrics import queue_depth
from devtools.processes import wait_until
from tests.integration.conftest import Service, wait_for_request
from tests.integration.served import API_AUTH
from tests.web.helpdesks.senders import SECRETS, encode, secret_env, signed_headers, ticket_payload
from tests.worker.stand_in import StandIn
from tests.worker.test_ticket_notes import CREDENTIALS, api_env, helpdesk_apis

EVENTS_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WRITTEN_BACK = sorted(CREDENTIALS)  # every helpdesk with an API for notes ("standard" has none)


@pytest.fixture(scope="module")
def desks():
    server = helpdesk_apis()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def receiver():
    server = StandIn(status=200).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outcomes_service(own_service, desks, receiver, tmp_path_factory):
    presets = tmp_path_factory.mktemp("outcomes") / "presets.json"
    presets.write_text(json.dumps({"damaged": {"approval": "draft"}}))
    with own_service("outcomes", **secret_env(), **api_env(desks.url),
                     EVENTS_URL=f"{receiver.url}/hooks/replacements", EVENTS_SECRET=EVENTS_SECRET,
                     PRESETS_FILE=str(presets)) as service:
        yield service


@pytest.fixture
def service(outcomes_service, desks, receiver):
    outcomes_service.clean()
    desks.reset()
    receiver.reset()
    return outcomes_service


def send_ticket(service: Service, provider: str, **ticket) -> str:
    body = encode(ticket_payload(provider, **ticket))
    headers = signed_headers(provider, body, SECRETS[provider], time.time(), event_id=ticket.get("event_id", "ev-1"))
    answer = service.web().post(f"/webhooks/helpdesk/{provider}", data=body,
                                headers={"Content-Type": "application/json", **headers})
    assert answer.json["status"] == "queued", answer.json
    return f"{provider}-example-{ticket['ticket_id']}"


def drained(service: Service) -> bool:
    """Nothing queued, nothing worked on or waiting for its countdown."""
    return queue_depth(service.client) == 0 and service.client.hlen("unacked") == 0


def told(service: Service, request_id: str, *events: str) -> list[dict]:
    """The request's journal once it holds each of `events` (a note's, an event's)."""
    def journal() -> list[dict] | None:
        entries = service.state.journal_entries(request_id)
        return entries if set(events) <= {entry["event"] for entry in entries} else None
    return wait_until(journal, 30, message=f"{request_id} to journal {events}")


def verified_events(receiver: StandIn) -> list[dict]:
    return [{**Webhook(EVENTS_SECRET).verify(r.body, r.headers), "webhook_id": r.headers["Webhook-Id"]}
            for r in receiver.requests("/hooks")]


@pytest.mark.parametrize("provider", WRITTEN_BACK)
def test_a_replaced_ticket_gets_one_private_note_with_the_order_number_and_its_admin_link(service, desks, shop,
                                                                                          provider):
    request_id = send_ticket(service, provider, ticket_id="201", lines="IPOD2008RED x 1")
    assert wait_for_request(service.state, request_id)["status"] == "done"
    [replacement] = shop.replacements()
    link = f"https://admin.shopify.com/store/example/orders/{replacement['id']}"

    [note] = desks.wait_for(1, f"/{provider}/")
    assert replacement["name"] == "#1002"
    assert "Replacement order #1002 created for #1001." in note.body.decode()
    assert link in note.body.decode()
    assert "201" in note.path
    told(service, request_id, "ticket_note_sent", "event_sent")

    # The same ticket again, past the web tier's dedupe marks: the request id holds, no second note.
    service.client.delete(*service.client.keys("rw:seen:*"))
    send_ticket(service, provider, ticket_id="201", lines="IPOD2008RED x 1", event_id="ev-2")
    wait_until(lambda: drained(service), 30, message="the repeat to be worked off")
    time.sleep(0.5)
    assert len(desks.requests(f"/{provider}/")) == 1
    assert [e["event"] for e in service.state.journal_entries(request_id)].count("ticket_note_sent") == 1


def test_a_failed_ticket_gets_a_note_with_the_reason(service, desks, shop):
    request_id = send_ticket(service, "zendesk", ticket_id="202", order="#9999")
    assert wait_for_request(service.state, request_id)["reason"] == "order #9999 not found"

    [note] = desks.wait_for(1, "/zendesk/")
    assert (note.method, note.path, note.json()) == ("PUT", "/zendesk/api/v2/tickets/202.json", {"ticket": {"comment": {
        "body": "Replacement for #9999 failed: order #9999 not found.", "public": False}}})
    assert shop.replacements() == []


def test_a_held_ticket_gets_a_note_with_its_draft_and_why(service, desks, receiver, shop):
    request_id = send_ticket(service, "front", ticket_id="cnv_203", reason="damaged")
    assert wait_for_request(service.state, request_id)["hold"] == "1"
    [draft] = shop.drafts()

    [note] = desks.wait_for(1, "/front/")
    assert note.json() == {"body": f"Replacement for #1001 held for approval as draft {draft['name']}: the reason's "
                                   f"preset asks for approval.\n"
                                   f"https://admin.shopify.com/store/example/draft_orders/{draft['id']}"}
    receiver.wait_for(1, "/hooks")
    [event] = verified_events(receiver)
    assert (event["type"], event["data"]["reason_code"], event["data"]["replacement"]) == (
        "replacement.held", "damaged", None)


def test_the_events_receiver_gets_the_completed_event_once(service, receiver, shop):
    answer = service.web().post("/api/replacements", headers=API_AUTH, json={"order": "#1001"})
    request_id = answer.json["request_id"]
    wait_for_request(service.state, request_id)
    told(service, request_id, "event_sent")
    wait_until(lambda: drained(service), 30, message="the queue to drain")

    [event] = verified_events(receiver)
    [replacement] = shop.replacements()
    assert event["type"] == "replacement.completed"
    assert event["data"] == {
        "request_id": request_id, "shop": "example.myshopify.com", "source": "api", "source_label": "API",
        "order": {"id": "gid://shopify/Order/450789469", "name": "#1001"},
        "replacement": {"id": f"gid://shopify/Order/{replacement['id']}", "name": "#1002",
                        "admin_url": f"https://admin.shopify.com/store/example/orders/{replacement['id']}"},
        "draft": event["data"]["draft"], "reason_code": None, "reason": None, "held_because": [], "failure": None,
        "lines": [{"sku": "IPOD2008RED", "quantity": 1}], "retail_value": "199.00", "currency": "USD"}
    assert event["data"]["draft"]["admin_url"].startswith("https://admin.shopify.com/store/example/draft_orders/")


def test_after_receiver_failures_the_event_comes_again_with_the_same_webhook_id(service, receiver):
    receiver.answer(503, 500)
    answer = service.web().post("/api/replacements", headers=API_AUTH, json={"order": "#1001"})
    request_id = answer.json["request_id"]

    attempts = receiver.wait_for(3, "/hooks")
    events = verified_events(receiver)
    assert len({event["webhook_id"] for event in events}) == 1
    assert [r.headers["Webhook-Timestamp"] for r in attempts] == sorted(r.headers["Webhook-Timestamp"]
                                                                         for r in attempts)
    assert {event["type"] for event in events} == {"replacement.completed"}
    told(service, request_id, "event_sent")
    wait_until(lambda: drained(service), 30, message="the queue to drain")
    assert len(receiver.requests("/hooks")) == 3


def test_a_helpdesk_refusing_the_note_never_touches_the_replacement(service, desks, receiver, shop):
    desks.answer(401)
    request_id = send_ticket(service, "kustomer", ticket_id="204")
    assert wait_for_request(service.state, request_id)["status"] == "done"

    journal = told(service, request_id, "ticket_note_failed", "event_sent")
    failed = [e["detail"] for e in journal if e["event"] == "ticket_note_failed"]
    assert [(d["provider"], d["ticket"], d["error"]) for d in failed] == [("kustomer", "204", "HTTP 401: {}")]
    assert len(shop.replacements()) == 1
    assert [event["type"] for event in verified_events(receiver)] == ["replacement.completed"]
