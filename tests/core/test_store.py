"""The service's Redis state, on fakeredis (the project's own Redis calls, not the broker)."""

import fakeredis
import pytest

from core import keys
from core.store import LockBusy, State

REQUEST = {"request_id": "api-1", "shop": "example.myshopify.com", "source": "api", "order": "#1001"}


@pytest.fixture
def state():
    return State(fakeredis.FakeRedis(), clock=lambda: 1000.0)


def test_a_request_is_created_once_and_whole(state):
    assert state.create_request(REQUEST) is True
    assert state.create_request({**REQUEST, "reason": "again"}) is False
    record = state.get("api-1")
    assert record["status"] == "received"
    assert record["request"] == REQUEST
    assert state.open_requests() == ["api-1"]


def test_final_status_leaves_the_open_set(state):
    state.create_request(REQUEST)
    state.update("api-1", status="done")
    assert state.open_requests() == []


def test_lock_is_exclusive_and_says_when_to_come_back(state):
    with state.lock("request:api-1", ttl_seconds=5):
        with pytest.raises(LockBusy) as busy:
            with state.lock("request:api-1", ttl_seconds=5):
                pass
        assert 0.2 <= busy.value.retry_in <= 5
    with state.lock("request:api-1", ttl_seconds=5):
        pass


def test_journal_and_dead_letters(state):
    state.journal("api-1", "failed", reason="order #1001 is cancelled")
    assert state.journal_entries("api-1") == [
        {"at": "1000.000", "request_id": "api-1", "event": "failed", "detail": {"reason": "order #1001 is cancelled"}}]
    state.dead_letter("worker.tasks.handle_event", [{"shop": "x"}], "LookupError: x")
    [item] = state.dead_letters()
    state.remove_dead_letter(item)
    assert state.dead_letters() == []


def test_every_record_of_a_request_expires_after_the_retention_and_dead_letters_are_capped(monkeypatch):
    client = fakeredis.FakeRedis()
    state = State(client, retention_seconds=3600)
    state.create_request({"request_id": "api-1", "order": "#1001", "source": "api"})
    assert 3500 < client.ttl(keys.OPEN_REQUESTS) <= 3600
    state.update("api-1", status="done")
    state.create_batch("b-1", ["api-1"])
    state.start_generation("example.myshopify.com", "1001", "admin-1001-1", 1)
    state.release_order("example.myshopify.com", "1001", "2026-12-04T10:00:00Z")
    for key in (keys.request("api-1"), keys.batch("b-1"), keys.order("example.myshopify.com", "1001")):
        assert 3500 < client.ttl(key) <= 3600, key
    monkeypatch.setattr("core.store.DEAD_LETTERS_MAX", 3)
    for n in range(5):
        state.dead_letter("worker.tasks.process_request", [f"api-{n}"], "boom")
    assert [letter["args"] for letter in state.dead_letters()] == [["api-2"], ["api-3"], ["api-4"]]
