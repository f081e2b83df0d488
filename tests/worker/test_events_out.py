"""Events out and the announcing of outcomes: what an outcome says (from the request's record
and journal), its event body, signed so `standardwebhooks` verifies it; one outbox per request
sent in order, the same `webhook-id` on every attempt; and the marks that make a task that runs
twice announce once."""

from __future__ import annotations

import json
import time

import fakeredis
import pytest
import redis
from kombu.exceptions import OperationalError
from standardwebhooks import Webhook

from core.metrics import Metrics, render
from core.store import State
from tests.conftest import make_settings
from tests.worker.stand_in import StandIn
from tests.worker.test_ticket_notes import api_env
from worker import events_out, outbound
from worker.outbound import TryLater
from worker.outcomes import Announcer, admin_url, outcome_of

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
REQUEST_ID = "zendesk-example-4711"


@pytest.fixture(scope="module")
def receiver():
    server = StandIn(status=204).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh(receiver):
    receiver.reset()


class Desk:
    """Request zendesk-example-4711 on a fake Redis, as the state machine leaves it when it
    announces: journaled up to the outcome, its final status still to be written."""

    def __init__(self, settings, held: bool = False):
        self.redis = fakeredis.FakeRedis()
        self.state = State(self.redis)
        self.metrics = Metrics(self.redis)
        self.settings = settings
        self.notes, self.event_tasks = [], []
        self.state.create_request({"request_id": REQUEST_ID, "shop": "example.myshopify.com", "source": "helpdesk",
                                   "source_label": "zendesk ticket 4711", "order": "#1001", "reason": "Arrived broken",
                                   "reason_code": "damaged"})
        self.state.update(REQUEST_ID, order_id="gid://shopify/Order/450789469",
                          draft_id="gid://shopify/DraftOrder/7", hold="1" if held else "0")
        self.state.journal(REQUEST_ID, "creating", lines=[["IPOD2008RED", 1]], retail_value="199.00", currency="USD",
                           held_because=["REPLACEMENT_MODE is draft"] if held else [])
        self.state.journal(REQUEST_ID, "draft_created", draft="gid://shopify/DraftOrder/7", name="#D7")
        if not held:
            self.state.update(REQUEST_ID, replacement_id="gid://shopify/Order/9", replacement_name="#1002")
        self.state.journal(REQUEST_ID, "done", order="#1001", replacement=None if held else "#1002",
                           draft="gid://shopify/DraftOrder/7", reason="damaged")

    def announcer(self, enqueue_events=None) -> Announcer:
        return Announcer(self.settings, self.state, enqueue_note=self.notes.append,
                         enqueue_events=enqueue_events or self.event_tasks.append)

    def finish(self, status: str = "done", **fields) -> None:
        self.state.update(REQUEST_ID, status=status, **fields)

    def deliver(self) -> int:
        return events_out.deliver(self.settings, self.state, self.metrics, REQUEST_ID)

    def outbox(self) -> list[dict]:
        return [json.loads(raw) for raw in self.redis.lrange(f"rw:outbox:{REQUEST_ID}", 0, -1)]

    def journal(self) -> list[tuple[str, dict]]:
        return [(e["event"], e["detail"]) for e in self.state.journal_entries(REQUEST_ID)
                if e["event"].startswith("event_")]


@pytest.fixture
def settings(receiver):
    return make_settings(EVENTS_URL=f"{receiver.url}/hooks/replacements", EVENTS_SECRET=SECRET,
                         **api_env("http://127.0.0.1:9"))


def test_an_outcome_is_read_from_the_record_and_the_journal(settings):
    desk = Desk(settings)
    outcome = outcome_of(desk.state, REQUEST_ID, "completed", at=1_800_000_000.0)
    data = events_out.body(outcome)
    assert data == {
        "type": "replacement.completed",
        "timestamp": "2027-01-15T08:00:00.000Z",
        "data": {
            "request_id": REQUEST_ID, "shop": "example.myshopify.com", "source": "helpdesk",
            "source_label": "zendesk ticket 4711",
            "order": {"id": "gid://shopify/Order/450789469", "name": "#1001"},
            "replacement": {"id": "gid://shopify/Order/9", "name": "#1002",
                            "admin_url": "https://admin.shopify.com/store/example/orders/9"},
            "draft": {"id": "gid://shopify/DraftOrder/7", "name": "#D7",
                      "admin_url": "https://admin.shopify.com/store/example/draft_orders/7"},
            "reason_code": "damaged", "reason": "Arrived broken", "held_because": [], "failure": None,
            "lines": [{"sku": "IPOD2008RED", "quantity": 1}], "retail_value": "199.00", "currency": "USD",
        },
    }


def test_a_held_outcome_says_why_and_has_no_replacement_order(settings):
    desk = Desk(settings, held=True)
    data = events_out.body(outcome_of(desk.state, REQUEST_ID, "held"))["data"]
    assert (data["replacement"], data["draft"]["name"], data["held_because"]) == (
        None, "#D7", ["REPLACEMENT_MODE is draft"])


def test_the_journal_is_read_from_the_request_on_past_other_requests_entries(settings):
    desk = Desk(settings)
    for number in range(1200):  # other requests' work after this one's
        desk.state.journal(f"api-{number}", "creating", lines=[["OTHER", 9]], retail_value="1.00", currency="EUR")
    desk.state.update(REQUEST_ID, status="cancelled", reason="original #1001 was cancelled")
    outcome = outcome_of(desk.state, REQUEST_ID, "cancelled")
    assert (outcome.lines, outcome.draft["name"], outcome.failure) == (
        [{"sku": "IPOD2008RED", "quantity": 1}], "#D7", "original #1001 was cancelled")


def test_admin_urls_are_the_stores_admin_pages():
    assert admin_url("example-store.myshopify.com", "gid://shopify/Order/5000000000024") == (
        "https://admin.shopify.com/store/example-store/orders/5000000000024")
    assert admin_url("example.myshopify.com", "gid://shopify/DraftOrder/12") == (
        "https://admin.shopify.com/store/example/draft_orders/12")
    assert admin_url("example.myshopify.com", None) is None


# announcing --------------------------------------------------------------------------------------
def test_an_outcome_announced_twice_is_queued_once(settings):
    desk = Desk(settings)
    desk.announcer()(REQUEST_ID, "completed")
    desk.announcer()(REQUEST_ID, "completed")
    assert [(n["provider"], n["ticket"], n["outcome"]) for n in desk.notes] == [("zendesk", "4711", "completed")]
    assert desk.notes[0]["text"] == ("Replacement order #1002 created for #1001.\n"
                                     "https://admin.shopify.com/store/example/orders/9")
    assert desk.event_tasks == [REQUEST_ID]
    assert [item["type"] for item in desk.outbox()] == ["replacement.completed"]


def test_nothing_is_announced_without_a_helpdesk_to_write_to_or_an_events_url():
    desk = Desk(make_settings())
    desk.announcer()(REQUEST_ID, "completed")
    assert (desk.notes, desk.event_tasks, desk.outbox()) == ([], [], [])


def test_a_queue_that_cannot_be_reached_takes_the_marks_back_and_is_a_redis_error(settings):
    desk = Desk(settings)

    def broker_away(_):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with pytest.raises(redis.ConnectionError):
        desk.announcer(enqueue_events=broker_away)(REQUEST_ID, "completed")
    assert desk.outbox() == []
    desk.announcer()(REQUEST_ID, "completed")  # the replacement's task is retried: it announces again
    assert (len(desk.notes), desk.event_tasks, len(desk.outbox())) == (1, [REQUEST_ID], 1)


def test_an_outcome_that_cannot_be_told_is_logged_and_never_fails_the_replacement(settings, caplog, monkeypatch):
    desk = Desk(settings)
    monkeypatch.setattr(events_out, "body", lambda outcome: outcome.no_such_field)
    desk.announcer()(REQUEST_ID, "completed")
    assert (desk.notes, desk.event_tasks) == ([], [])
    assert "outcome not announced" in caplog.text


# delivering --------------------------------------------------------------------------------------
def test_the_event_is_signed_the_standard_webhooks_way(settings, receiver):
    desk = Desk(settings)
    desk.announcer()(REQUEST_ID, "completed")
    desk.finish()
    [waiting] = desk.outbox()
    assert desk.deliver() == 1

    [received] = receiver.requests()
    assert (received.method, received.path, received.headers["Content-Type"]) == (
        "POST", "/hooks/replacements", "application/json")
    event = Webhook(SECRET).verify(received.body, received.headers)
    assert received.body.decode() == waiting["body"]
    assert event["type"] == "replacement.completed"
    assert received.headers["Webhook-Id"].startswith("msg_")
    assert desk.outbox() == []
    assert desk.journal() == [("event_sent", {"type": "replacement.completed",
                                              "webhook_id": received.headers["Webhook-Id"], "status": 204})]


def test_a_failed_delivery_comes_back_with_the_same_id_and_body(settings, receiver, monkeypatch):
    monkeypatch.setattr(outbound, "jitter", lambda: 1.0)
    desk = Desk(settings)
    desk.announcer()(REQUEST_ID, "completed")
    desk.finish()
    receiver.answer(500, 503)
    for _ in range(2):
        with pytest.raises(TryLater) as later:
            desk.deliver()
        assert later.value.seconds == 2.0
    assert desk.deliver() == 1

    attempts = receiver.requests()
    assert len({r.headers["Webhook-Id"] for r in attempts}) == 1
    assert len({r.body for r in attempts}) == 1
    for received in attempts:
        Webhook(SECRET).verify(received.body, received.headers)
    counted = [line for line in render(desk.redis).decode().splitlines()
               if line.startswith("replacement_events_out_total{")]
    assert counted == ['replacement_events_out_total{result="retried",type="replacement.completed"} 2.0',
                       'replacement_events_out_total{result="sent",type="replacement.completed"} 1.0']


def test_events_of_one_request_go_in_order_the_next_waiting_for_the_one_before(settings, receiver):
    desk = Desk(settings, held=True)
    desk.announcer()(REQUEST_ID, "held")
    desk.finish()
    receiver.answer(503)
    with pytest.raises(TryLater):
        desk.deliver()
    desk.finish("cancelled", reason="original #1001 was cancelled")
    desk.announcer()(REQUEST_ID, "cancelled")
    assert desk.deliver() == 2
    assert [json.loads(r.body)["type"] for r in receiver.requests()] == [
        "replacement.held", "replacement.held", "replacement.cancelled"]


def test_an_event_still_refused_after_a_day_is_journaled_and_the_next_one_goes(settings, receiver):
    desk = Desk(settings, held=True)
    desk.announcer()(REQUEST_ID, "held")
    desk.finish("cancelled", reason="original #1001 was cancelled")
    desk.announcer()(REQUEST_ID, "cancelled")
    first = desk.redis.lindex(f"rw:outbox:{REQUEST_ID}", 0)
    desk.redis.lset(f"rw:outbox:{REQUEST_ID}", 0, json.dumps({**json.loads(first),
                                                             "queued_at": time.time() - outbound.GIVE_UP_AFTER}))
    receiver.answer(410)
    assert desk.deliver() == 1
    assert [(event, detail["type"]) for event, detail in desk.journal()] == [
        ("event_failed", "replacement.held"), ("event_sent", "replacement.cancelled")]
    assert desk.journal()[0][1]["error"] == "HTTP 410: {}"


def test_an_event_waits_for_its_outcome_to_be_written(settings, receiver):
    desk = Desk(settings)
    desk.announcer()(REQUEST_ID, "completed")
    with pytest.raises(TryLater, match="not written yet"):
        desk.deliver()
    assert receiver.requests() == []


def test_events_url_and_secret_come_together():
    with pytest.raises(Exception, match="EVENTS_SECRET is not set"):
        make_settings(EVENTS_URL="https://hooks.zapier.com/hooks/catch/1/abc/")
    with pytest.raises(Exception, match="EVENTS_SECRET must be a Standard Webhooks secret"):
        make_settings(EVENTS_URL="https://hooks.zapier.com/hooks/catch/1/abc/", EVENTS_SECRET="s3cret")
