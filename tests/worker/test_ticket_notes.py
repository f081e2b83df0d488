"""Write-back to the ticket: each vendor's note against a local stand-in of its API, which
receives the exact request (method, path, authentication, body); the note's text for each
outcome; one note per outcome however often its task runs; retries while a failure may pass,
and a note that keeps failing journaled, counted and given up."""

from __future__ import annotations

import base64
import time

import fakeredis
import pytest
import requests

from core.metrics import Metrics, render
from core.settings import ConfigError
from core.store import State
from tests.conftest import make_settings
from tests.worker.stand_in import StandIn
from worker import outbound, ticket_notes
from worker.outbound import TryLater
from worker.outcomes import Outcome
from worker.ticket_notes import helpscout

TEXT = "Replacement order #1002 created for #1001.\nhttps://admin.shopify.com/store/example/orders/9"
HTML = "Replacement order #1002 created for #1001.<br>https://admin.shopify.com/store/example/orders/9"
CREDENTIALS = {
    "zendesk": {"EMAIL": "agent@example.com", "TOKEN": "zd-token"},
    "gorgias": {"EMAIL": "agent@example.com", "KEY": "gg-key"},
    "freshdesk": {"KEY": "fd-key"},
    "helpscout": {"APP_ID": "hs-app", "APP_SECRET": "hs-secret"},
    "intercom": {"TOKEN": "ic-token", "ADMIN_ID": "814860"},
    "kustomer": {"KEY": "ku-key"},
    "front": {"TOKEN": "fr-token"},
    "reamaze": {"EMAIL": "agent@example.com", "TOKEN": "rz-token"},
}
HELPSCOUT_TOKEN = {"token_type": "bearer", "access_token": "hs-token", "expires_in": 172800}


def api_env(url: str) -> dict:
    """Every vendor's `<PROVIDER>_API_*`, its URL at `url`/<provider> (a stand-in)."""
    env = {}
    for provider, credentials in CREDENTIALS.items():
        env[f"{provider.upper()}_API_URL"] = f"{url}/{provider}"
        env.update({f"{provider.upper()}_API_{name}": value for name, value in credentials.items()})
    return env


def helpdesk_apis() -> StandIn:
    """One stand-in for every helpdesk's API, `/<provider>/...` (`api_env`): notes answer 201,
    Help Scout's token endpoint a token."""
    server = StandIn(status=201).start()
    server.route("/helpscout/v2/oauth2/token", 200, HELPSCOUT_TOKEN)
    return server


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# What each vendor's documentation asks for (see each worker/ticket_notes/<provider>.py).
EXPECTED = {
    "zendesk": ("PUT", "/zendesk/api/v2/tickets/4711.json", basic("agent@example.com/token", "zd-token"),
                {"ticket": {"comment": {"body": TEXT, "public": False}}}),
    "gorgias": ("POST", "/gorgias/api/tickets/4711/messages", basic("agent@example.com", "gg-key"),
                {"channel": "internal-note", "via": "api", "from_agent": True, "sender": {"email": "agent@example.com"},
                 "body_text": TEXT, "body_html": HTML}),
    "freshdesk": ("POST", "/freshdesk/api/v2/tickets/4711/notes", basic("fd-key", "X"),
                  {"body": HTML, "private": True}),
    "helpscout": ("POST", "/helpscout/v2/conversations/4711/notes", "Bearer hs-token", {"text": TEXT}),
    "intercom": ("POST", "/intercom/conversations/4711/reply", "Bearer ic-token",
                 {"message_type": "note", "type": "admin", "admin_id": "814860", "body": HTML}),
    "kustomer": ("POST", "/kustomer/v1/conversations/4711/notes", "Bearer ku-key", {"body": TEXT}),
    "front": ("POST", "/front/conversations/4711/comments", "Bearer fr-token", {"body": TEXT}),
    "reamaze": ("POST", "/reamaze/api/v1/conversations/4711/messages", basic("agent@example.com", "rz-token"),
                {"message": {"body": TEXT, "visibility": 1, "origin_id": "note-1"}}),
}


@pytest.fixture(scope="module")
def stand_in():
    server = helpdesk_apis()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh(stand_in):
    stand_in.reset()
    helpscout._tokens.clear()


@pytest.fixture
def settings(stand_in):
    return make_settings(**api_env(stand_in.url))


def test_every_provider_with_an_adapter_is_covered():
    assert sorted(ticket_notes.ADAPTERS) == sorted(EXPECTED) == sorted(CREDENTIALS)


@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_each_vendor_gets_the_note_as_its_api_documents_it(settings, stand_in, provider):
    with requests.Session() as session:
        result = ticket_notes.helpdesk(settings, provider).write(session, "4711", TEXT, "note-1")

    assert result.ok
    [received] = stand_in.requests(f"/{provider}")
    method, path, authorization, body = EXPECTED[provider]
    assert (received.method, received.path, received.headers["Authorization"], received.json()) == (
        method, path, authorization, body)
    assert received.headers["Content-Type"] == "application/json"


def test_intercom_pins_its_api_version_and_reamaze_asks_for_json(settings, stand_in):
    with requests.Session() as session:
        for provider in ("intercom", "reamaze"):
            ticket_notes.helpdesk(settings, provider).write(session, "4711", TEXT, "note-1")
    intercom, reamaze = stand_in.requests()
    assert intercom.headers["Intercom-Version"] == "2.11"
    assert reamaze.headers["Accept"] == "application/json"


def test_a_ticket_id_is_one_path_segment(settings, stand_in):
    with requests.Session() as session:
        ticket_notes.helpdesk(settings, "front").write(session, "cnv_55c8/../x", TEXT, "note-1")
    assert stand_in.requests()[0].path == "/front/conversations/cnv_55c8%2F..%2Fx/comments"


def test_help_scout_trades_the_app_credentials_for_a_token_kept_until_it_is_refused(settings, stand_in):
    adapter = ticket_notes.helpdesk(settings, "helpscout")
    with requests.Session() as session:
        adapter.write(session, "1", TEXT, "n")
        adapter.write(session, "2", TEXT, "n")
        stand_in.answer(401)  # the token was revoked: asked again, once
        assert adapter.write(session, "3", TEXT, "n").ok

    token_requests = [r for r in stand_in.received if r.path == "/helpscout/v2/oauth2/token"]
    assert [r.json() for r in token_requests] == [
        {"grant_type": "client_credentials", "client_id": "hs-app", "client_secret": "hs-secret"}] * 2
    assert [r.path for r in stand_in.requests("/helpscout")] == [
        "/helpscout/v2/conversations/1/notes", "/helpscout/v2/conversations/2/notes",
        "/helpscout/v2/conversations/3/notes", "/helpscout/v2/conversations/3/notes"]


def test_help_scout_refusing_the_app_credentials_is_a_failure_that_does_not_pass(settings, stand_in):
    stand_in.route("/helpscout/v2/oauth2/token", 401, {"error": "invalid_client"})
    try:
        with requests.Session() as session:
            result = ticket_notes.helpdesk(settings, "helpscout").write(session, "1", TEXT, "n")
    finally:
        stand_in.route("/helpscout/v2/oauth2/token", 200, HELPSCOUT_TOKEN)
    assert (result.ok, result.retryable, result.status) == (False, False, 401)


# settings -------------------------------------------------------------------------------------
def test_credentials_unset_mean_no_write_back():
    settings = make_settings()
    assert settings.helpdesk_apis == {}
    assert ticket_notes.helpdesk(settings, "zendesk") is None


def test_vendor_urls_default_to_the_vendors_api_where_it_has_one():
    settings = make_settings(FRONT_API_TOKEN="t", HELPSCOUT_API_APP_ID="a", HELPSCOUT_API_APP_SECRET="s",
                             INTERCOM_API_TOKEN="t", INTERCOM_API_ADMIN_ID="1", KUSTOMER_API_KEY="k")
    assert {p: api["url"] for p, api in settings.helpdesk_apis.items()} == {
        "helpscout": "https://api.helpscout.net", "intercom": "https://api.intercom.io",
        "kustomer": "https://api.kustomerapp.com", "front": "https://api2.frontapp.com"}


@pytest.mark.parametrize(("env", "message"), [
    ({"ZENDESK_API_EMAIL": "a@example.com", "ZENDESK_API_TOKEN": "t"},
     "ZENDESK_API_URL is not set (a note on zendesk tickets needs ZENDESK_API_URL, ZENDESK_API_EMAIL, "
     "ZENDESK_API_TOKEN)"),
    ({"INTERCOM_API_TOKEN": "t"},
     "INTERCOM_API_ADMIN_ID is not set (a note on intercom tickets needs INTERCOM_API_URL, INTERCOM_API_TOKEN, "
     "INTERCOM_API_ADMIN_ID)"),
    ({"FRESHDESK_API_URL": "acme.freshdesk.com", "FRESHDESK_API_KEY": "k"},
     "FRESHDESK_API_URL must be an http(s) URL (got 'acme.freshdesk.com')"),
])
def test_half_set_credentials_stop_start_up_naming_what_is_missing(env, message):
    with pytest.raises(ConfigError) as error:
        make_settings(**env)
    assert str(error.value) == message


# which requests, and what the note says -------------------------------------------------------
def test_only_a_request_from_a_helpdesk_written_back_to_has_a_ticket(settings):
    assert ticket_notes.ticket_of(settings, {"source": "helpdesk", "source_label": "zendesk ticket 4711"}) == (
        "zendesk", "4711")
    assert ticket_notes.ticket_of(settings, {"source": "helpdesk", "source_label": "front ticket cnv_55c8"}) == (
        "front", "cnv_55c8")
    assert ticket_notes.ticket_of(settings, {"source": "helpdesk", "source_label": "standard ticket 9"}) is None
    assert ticket_notes.ticket_of(settings, {"source": "api", "source_label": "api"}) is None
    assert ticket_notes.ticket_of(make_settings(), {"source": "helpdesk",
                                                    "source_label": "zendesk ticket 4711"}) is None


def outcome(kind: str, **changes) -> Outcome:
    fields = dict(kind=kind, request_id="zendesk-example-4711", created_at=1.0, at=2.0, shop="example.myshopify.com",
                  source="helpdesk", source_label="zendesk ticket 4711",
                  order={"id": "gid://shopify/Order/450789469", "name": "#1001"})
    return Outcome(**{**fields, **changes})


def test_the_note_says_what_happened_in_one_or_two_plain_lines():
    assert ticket_notes.note_text(outcome("completed", replacement={"id": "gid://shopify/Order/9", "name": "#1002"})) \
        == TEXT
    assert ticket_notes.note_text(outcome(
        "held", draft={"id": "gid://shopify/DraftOrder/7", "name": "#D7"},
        held_because=["retail value 200.01 USD is above REPLACEMENT_MAX_VALUE 200.00"])) == (
        "Replacement for #1001 held for approval as draft #D7: retail value 200.01 USD is above "
        "REPLACEMENT_MAX_VALUE 200.00.\nhttps://admin.shopify.com/store/example/draft_orders/7")
    assert ticket_notes.note_text(outcome(
        "failed", failure="out of stock: SKU IPOD2008RED (needs 1, 0 available)")) == (
        "Replacement for #1001 failed: out of stock: SKU IPOD2008RED (needs 1, 0 available).")
    assert ticket_notes.note_text(outcome("failed", order={"id": None, "name": None},
                                          failure="no order found for the customer's email")) == (
        "Replacement failed: no order found for the customer's email.")
    assert ticket_notes.note_text(outcome("cancelled", draft={"id": "gid://shopify/DraftOrder/7", "name": "#D7"},
                                          failure="original #1001 was cancelled")) == (
        "Replacement draft #D7 for #1001 deleted: original #1001 was cancelled.")


# delivery ---------------------------------------------------------------------------------------
class Desk:
    """A finished request from zendesk ticket 4711 on a fake Redis, and its note's task."""

    def __init__(self, settings, status: str = "done"):
        self.redis = fakeredis.FakeRedis()
        self.state = State(self.redis)
        self.metrics = Metrics(self.redis)
        self.settings = settings
        self.state.create_request({"request_id": "zendesk-example-4711", "shop": "example.myshopify.com",
                                   "source": "helpdesk", "source_label": "zendesk ticket 4711"})
        self.state.update("zendesk-example-4711", status=status)
        self.note = {**ticket_notes.note(outcome("completed", replacement={"id": "gid://shopify/Order/9",
                                                                           "name": "#1002"}), "zendesk", "4711"),
                     "queued_at": time.time()}
        self.redis.set("rw:announced:note:zendesk-example-4711:completed", "queued")

    def deliver(self):
        return ticket_notes.deliver(self.settings, self.state, self.metrics, self.note)

    def journal(self) -> list[tuple[str, dict]]:
        return [(e["event"], e["detail"]) for e in self.state.journal_entries("zendesk-example-4711")]

    def counted(self) -> list[str]:
        return [line for line in render(self.redis).decode().splitlines()
                if line.startswith("replacement_ticket_notes_total{")]


def test_a_note_is_written_once_however_often_its_task_runs(settings, stand_in):
    desk = Desk(settings)
    assert desk.deliver() == "sent"
    assert desk.deliver() == "sent"
    assert len(stand_in.requests("/zendesk")) == 1
    assert desk.journal() == [("ticket_note_sent", {"provider": "zendesk", "ticket": "4711", "outcome": "completed",
                                                    "status": 201})]
    assert desk.counted() == ['replacement_ticket_notes_total{provider="zendesk",result="sent"} 1.0']


def test_a_failure_that_may_pass_is_tried_again_later(settings, stand_in, monkeypatch):
    monkeypatch.setattr(outbound, "jitter", lambda: 1.0)
    desk = Desk(settings)
    stand_in.answer(503, 429)
    with pytest.raises(TryLater) as first:
        desk.deliver()
    with pytest.raises(TryLater):
        desk.deliver()
    assert desk.deliver() == "sent"
    assert first.value.seconds == 2.0
    assert len(stand_in.requests("/zendesk")) == 3
    assert desk.counted() == ['replacement_ticket_notes_total{provider="zendesk",result="retried"} 2.0',
                              'replacement_ticket_notes_total{provider="zendesk",result="sent"} 1.0']


def test_the_wait_grows_with_the_time_spent_and_stays_below_the_visibility_timeout(monkeypatch):
    monkeypatch.setattr(outbound, "jitter", lambda: 1.0)
    monkeypatch.setattr(outbound, "now", lambda: 1000.0)
    assert [outbound.next_wait(1000.0 - spent) for spent in (0, 10, 60, 3600)] == [2.0, 5.0, 30.0, 60.0]
    assert outbound.next_wait(1000.0, retry_after=45) == 45.0
    assert outbound.next_wait(1000.0 - outbound.GIVE_UP_AFTER) is None


def test_a_refusal_is_journaled_counted_and_given_up_at_once(settings, stand_in):
    desk = Desk(settings)
    stand_in.answer(401)
    assert desk.deliver() == "failed"
    assert desk.deliver() == "failed"
    assert len(stand_in.requests("/zendesk")) == 1
    [(event, detail)] = desk.journal()
    assert (event, detail["provider"], detail["ticket"], detail["error"]) == (
        "ticket_note_failed", "zendesk", "4711", 'HTTP 401: {}')
    assert desk.counted() == ['replacement_ticket_notes_total{provider="zendesk",result="failed"} 1.0']


def test_a_note_still_failing_after_a_day_is_given_up(settings, stand_in):
    desk = Desk(settings)
    desk.note["queued_at"] = time.time() - outbound.GIVE_UP_AFTER
    stand_in.answer(503)
    assert desk.deliver() == "failed"
    assert desk.journal()[0][1]["error"] == "HTTP 503: {}"


def test_no_answer_at_all_is_tried_again(settings, stand_in):
    desk = Desk(make_settings(ZENDESK_API_URL="http://127.0.0.1:9", ZENDESK_API_EMAIL="a", ZENDESK_API_TOKEN="t"))
    with pytest.raises(TryLater) as later:
        desk.deliver()
    assert "ConnectionError" in str(later.value)


def test_a_note_waits_for_its_outcome_to_be_written(settings, stand_in):
    desk = Desk(settings, status="completed")
    with pytest.raises(TryLater, match="not written yet"):
        desk.deliver()
    assert stand_in.requests() == []
