"""Compliance requests act on what the service keeps, and only on that customer's or shop's records."""

import json

import fakeredis
import pytest

from core import keys
from core.store import State
from worker.privacy import handle

SHOP, OTHER = "example.myshopify.com", "other.myshopify.com"
ADDRESS = {"address1": "Chestnut Street 92", "zip": "40202"}


@pytest.fixture
def state() -> State:
    state = State(fakeredis.FakeRedis())
    requests = [
        ("admin-450789469-1", SHOP, {"order": "gid://shopify/Order/450789469"}, "gid://shopify/Order/450789469"),
        ("zendesk-example-77", SHOP, {"email": "Bob.Norman@mail.example.com", "shipping_address": ADDRESS}, None),
        ("admin-123-1", SHOP, {"order": "gid://shopify/Order/123"}, "gid://shopify/Order/123"),
        ("admin-450789469-1-other", OTHER, {"order": "gid://shopify/Order/450789469"}, None),
    ]
    for request_id, shop, extra, order_id in requests:
        state.create_request({"request_id": request_id, "shop": shop, "source": "admin_tag", **extra})
        if order_id:
            state.update(request_id, order_id=order_id)
        state.journal(request_id, "received")
    state.start_generation(SHOP, "450789469", "admin-450789469-1", 1)
    state.start_generation(SHOP, "123", "admin-123-1", 1)
    state.start_generation(OTHER, "450789469", "admin-450789469-1-other", 1)
    state.dead_letter("worker.tasks.handle_event", [{"shop": SHOP, "order": "gid://shopify/Order/450789469",
                                                      "shipping_address": ADDRESS}], "boom")
    state.dead_letter("worker.tasks.process_request", ["admin-123-1", SHOP], "boom")
    return state


def customer_event(topic: str, **extra) -> dict:
    return {"topic": topic, "shop": SHOP, "customer_id": 207119551, "email": "bob.norman@mail.example.com",
            "orders": [450789469], **extra}


def journal_ids(state: State) -> list[str]:
    return [entry["request_id"] for entry in state.journal_entries()]


def test_customer_redaction_erases_their_requests_journal_generations_dead_letters_and_exports(state):
    handle(state, customer_event("customers/data_request", data_request_id=9999))
    handle(state, {**customer_event("customers/data_request", data_request_id=5), "customer_id": 1})

    outcome = handle(state, customer_event("customers/redact"))

    assert outcome == {"requests": 2, "journal_entries": 2, "orders": 1, "dead_letters": 1, "exports": 1}
    assert state.client.exists(f"rw:privacy:export:{SHOP}:1:5")
    assert state.get("admin-450789469-1") is None
    assert state.get("zendesk-example-77") is None
    assert journal_ids(state) == ["admin-123-1", "admin-450789469-1-other"]
    assert state.current_for_order(SHOP, "450789469")[:2] == (None, 0)
    assert state.current_for_order(SHOP, "123")[:2] == ("admin-123-1", 1)
    assert state.current_for_order(OTHER, "450789469")[:2] == ("admin-450789469-1-other", 1)
    assert [item["args"] for item in state.dead_letters()] == [["admin-123-1", SHOP]]
    assert "Chestnut" not in json.dumps([state.get(r) for r in state.open_requests()])


def test_data_request_exports_without_erasing(state):
    outcome = handle(state, customer_event("customers/data_request", data_request_id=9999))

    assert outcome == {"requests": 2, "export_key": f"rw:privacy:export:{SHOP}:207119551:9999"}
    export = json.loads(state.client.get(outcome["export_key"]))
    assert sorted(r["request"]["request_id"] for r in export["requests"]) == ["admin-450789469-1", "zendesk-example-77"]
    assert sorted(e["request_id"] for e in export["journal"]) == ["admin-450789469-1", "zendesk-example-77"]
    assert 0 < state.client.ttl(outcome["export_key"]) <= 30 * 24 * 3600
    assert state.get("zendesk-example-77") is not None


def test_shop_redaction_erases_that_shop_only(state):
    state.client.set(f"rw:seen:shopify:{SHOP}:webhook:wh-1", 1)
    state.client.set(f"rw:seen:shopify:{OTHER}:webhook:wh-1", 1)

    handle(state, customer_event("customers/data_request", data_request_id=9999))

    outcome = handle(state, {"topic": "shop/redact", "shop": SHOP})

    assert outcome == {"requests": 3, "journal_entries": 3, "orders": 2, "dead_letters": 2, "exports": 1,
                       "shop_keys": 1}
    assert journal_ids(state) == ["admin-450789469-1-other"]
    assert state.open_requests() == ["admin-450789469-1-other"]
    assert state.dead_letters() == []
    assert state.client.exists(f"rw:seen:shopify:{OTHER}:webhook:wh-1")


def test_customer_redaction_erases_the_outcome_events_still_waiting_and_their_marks(state):
    state.client.rpush(keys.events_outbox("zendesk-example-77"), json.dumps({"reason": "parcel lost at Bob's"}))
    state.client.set(keys.announced("note", "zendesk-example-77", "completed"), 1)
    state.client.rpush(keys.events_outbox("admin-123-1"), json.dumps({"reason": "kept"}))

    handle(state, customer_event("customers/redact"))

    assert not state.client.exists(keys.events_outbox("zendesk-example-77"))
    assert not state.client.exists(keys.announced("note", "zendesk-example-77", "completed"))
    assert state.client.exists(keys.events_outbox("admin-123-1"))
