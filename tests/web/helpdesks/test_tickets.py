"""What each helpdesk's payload becomes: the event enqueued, the reason it is ignored, or a
422 naming the field at fault. Payloads are each helpdesk's fixtures (fixtures/<provider>/),
told of the ticket a test needs, or the templated body inline."""


import fakeredis
import pytest

from tests.conftest import make_settings
from tests.queued import QueuedTasks
from tests.web.helpdesks.senders import (
    NOW,
    PROVIDERS,
    SECRETS,
    encode,
    fixture,
    secret_env,
    signed_headers,
    ticket_payload,
)
from web import create_app
from web.helpdesks import RECEIVERS

NOT_AN_ORDER = "must be an order name like #1001, EN1001 or 1001-A, a number, an id or a gid"

SHOP = "example.myshopify.com"
WITH_EMAIL = [provider for provider in PROVIDERS if "email" in fixture(provider)["ticket"]]


def send(app, provider: str, payload: dict, event_id: str = "ev-1", **headers):
    body = encode(payload)
    signed = signed_headers(provider, body, SECRETS[provider], NOW, event_id=event_id)
    return app.test_client().post(f"/webhooks/helpdesk/{provider}", data=body,
                                  headers={"Content-Type": "application/json", **signed, **headers})


def send_fixture(app, provider: str, name: str):
    sample = fixture(provider, name)
    return send(app, provider, sample["body"], **sample.get("headers", {}))


def queued_event(queued) -> dict:
    queued.assert_called_once()
    task, = queued.call_args.args
    assert task == "worker.tasks.handle_event"
    event, = queued.call_args.kwargs["args"]
    return event


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_helpdesks_tagged_ticket_as_sent_is_queued_under_its_ticket_id(app, queued, provider):
    ticket = fixture(provider)["ticket"]
    assert send_fixture(app, provider, "ticket_tagged").json == {"status": "queued"}
    event = queued_event(queued)
    assert event["request_id"] == f"{provider}-example-{ticket['ticket_id']}"
    assert (event["order"], event.get("email"), event["reason"]) == (ticket["order"], ticket.get("email"),
                                                                     ticket["reason"])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_tagged_ticket_becomes_one_event_with_order_lines_and_reason(app, queued, provider):
    payload = ticket_payload(provider, ticket_id="101", email="Bob.Norman@mail.example.com",
                             lines="IPOD2008RED x 1, variant:49148385", reason="Arrived broken")
    assert send(app, provider, payload).json == {"status": "queued"}
    expected = {"shop": SHOP, "source": "helpdesk", "source_label": f"{provider} ticket 101",
                "request_id": f"{provider}-example-101", "order": "#1001",
                "lines": [{"sku": "IPOD2008RED", "quantity": 1}, {"variant_id": "49148385"}],
                "reason": "Arrived broken"}
    if provider in WITH_EMAIL:  # a Kustomer conversation carries none
        expected["email"] = "bob.norman@mail.example.com"
    assert queued_event(queued) == expected


@pytest.mark.parametrize("provider", PROVIDERS)
def test_ticket_without_the_tag_is_ignored(app, queued, provider):
    response = send(app, provider, ticket_payload(provider, ticket_id="102", tags=("vip", "refund")))
    assert response.json == {"status": "ignored", "reason": "ticket 102 has no replace tag"}
    queued.assert_not_called()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_event_of_one_ticket_after_the_first_is_a_duplicate(app, queued, provider):
    assert send(app, provider, ticket_payload(provider, event_id="ev-1"), event_id="ev-1").json["status"] == "queued"
    assert send(app, provider, ticket_payload(provider, event_id="ev-1"), event_id="ev-1").json["status"] == "duplicate"
    assert send(app, provider, ticket_payload(provider, event_id="ev-2"), event_id="ev-2").json["status"] == "duplicate"
    assert queued.call_count == 1


@pytest.mark.parametrize("provider", WITH_EMAIL)
def test_ticket_with_only_the_customer_email_asks_for_their_latest_order(app, queued, provider):
    send(app, provider, ticket_payload(provider, order=None, email="bob.norman@mail.example.com"))
    event = queued_event(queued)
    assert "order" not in event
    assert event["email"] == "bob.norman@mail.example.com"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_ticket_with_neither_order_nor_email_is_422(app, queued, provider):
    response = send(app, provider, ticket_payload(provider, order=None, email=None))
    assert response.status_code == 422
    assert response.json["fields"] == {
        "order": ["give the order (name like #1001, number, id or gid) or the customer's email"]}
    queued.assert_not_called()


def test_zendesk_space_separated_and_gorgias_comma_separated_tags_both_work(app, queued):
    assert send(app, "zendesk", {"ticket_id": "7", "tags": "vip replace", "order": "1001"}).json["status"] == "queued"
    assert send(app, "gorgias", {"ticket_id": 7, "tags": "vip,replace", "order": 1001}).json["status"] == "queued"
    assert [call.kwargs["args"][0]["order"] for call in queued.call_args_list] == ["1001", "1001"]


def test_order_by_gid_and_shipping_address_pass_through(app, queued):
    address = {"firstName": "Bob", "address1": "1 Main St", "city": "Ottawa", "countryCode": "CA", "zip": ""}
    send(app, "zendesk", {"ticket_id": "8", "tags": "replace", "order": "gid://shopify/Order/450789469",
                          "shipping_address": address})
    event = queued_event(queued)
    assert event["order"] == "gid://shopify/Order/450789469"
    assert event["shipping_address"] == {"firstName": "Bob", "address1": "1 Main St", "city": "Ottawa",
                                          "countryCode": "CA"}


@pytest.mark.parametrize(("lines", "fields"), [
    ([{"sku": "IPOD2008RED", "quantity": 0}], {"lines[0].quantity": ["must be a whole number of at least 1"]}),
    ([{"sku": "A", "variant_id": "1"}], {"lines[0]": ["must name exactly one of line_item_id, variant_id or sku"]}),
    ("IPOD2008RED x two", {"lines[0]": [
        "'IPOD2008RED x two' is not like 'SKU-1 x 2', 'variant:123 x 1' or 'line:456'"]}),
    ({"sku": "A"}, {"lines": ["must be a list of lines, or text like 'SKU-1 x 2, variant:123'"]}),
])
def test_malformed_lines_are_422_with_the_field_named(app, queued, lines, fields):
    response = send(app, "zendesk", {"ticket_id": "9", "tags": "replace", "order": "#1001", "lines": lines})
    assert (response.status_code, response.json["fields"]) == (422, fields)
    queued.assert_not_called()


def test_every_field_at_fault_is_named_at_once(app, queued):
    response = send(app, "zendesk", {"ticket_id": "10", "tags": "replace", "order": "#10 01",
                                     "customer_email": "not-an-email", "shipping_address": {"street": "x"}})
    assert response.json["fields"] == {
        "order": [NOT_AN_ORDER],
        "customer_email": ["must be an email address"],
        "shipping_address.street": ["is not a MailingAddressInput field"],
        "shipping_address.address1": ["is required"],
        "shipping_address.countryCode": ["is required"],
    }


def test_ticket_without_an_id_is_422(app, queued):
    response = send(app, "freshdesk", {"tags": "replace", "order": "#1001"})
    assert response.json["fields"] == {
        "ticket_id": ["missing, or not an id of letters, digits, '_', '.', ':' or '-'"]}


def test_helpscout_test_event_and_intercom_ping_and_kustomer_customer_event_are_ignored(app, queued):
    responses = [send_fixture(app, "helpscout", "test_event"), send_fixture(app, "intercom", "ping"),
                 send_fixture(app, "kustomer", "customer_updated")]
    assert [r.json["reason"] for r in responses] == [
        "event helpscout.test is not about a conversation",
        "topic ping is not about a conversation",
        "event kustomer.customer.update is not about a conversation",
    ]
    queued.assert_not_called()


def test_standard_webhooks_accepts_the_ticket_at_the_top_level_too(app, queued):
    send_fixture(app, "standard", "ticket_at_top_level")
    assert queued_event(queued)["request_id"] == "standard-example-T-1043"


def test_front_counts_the_tag_just_added(app, queued):
    payload = ticket_payload("front", ticket_id="cnv_12", tags=("vip",))
    payload["target"]["data"]["name"] = "replace"
    send(app, "front", payload)
    assert queued_event(queued)["request_id"] == "front-example-cnv_12"


def test_tag_comparison_ignores_case_and_uses_helpdesk_tag():
    app = create_app(make_settings(HELPDESK_TAG="send-again", **secret_env()), redis_client=fakeredis.FakeRedis())
    assert send(app, "zendesk", {"ticket_id": "13", "tags": "Send-Again", "order": "#1001"}).json == {
        "status": "queued"}
    assert send(app, "zendesk", {"ticket_id": "14", "tags": "replace", "order": "#1001"}).json == {
        "status": "ignored", "reason": "ticket 14 has no send-again tag"}
    assert QueuedTasks(app.extensions["intake"].client).call_count == 1


def test_every_adapter_module_is_a_provider_with_fixtures_and_a_way_of_signing():
    assert set(RECEIVERS) == set(PROVIDERS)
    for provider in PROVIDERS:
        assert signed_headers(provider, b"{}", SECRETS[provider], NOW)


def test_a_provider_is_served_when_its_secret_is_set():
    settings = make_settings(ZENDESK_WEBHOOK_SECRET="a,b", FRONT_WEBHOOK_SECRET="c")
    assert settings.helpdesk_secrets == {"zendesk": ("a", "b"), "front": ("c",)}


@pytest.mark.parametrize(("ticket", "name"), [("151", "EN1001"), ("152", "1001-A"), ("153", "#en1001"),
                                              ("154", "gid://shopify/Order/450789469")])
def test_order_names_as_merchants_write_them_are_taken(app, queued, ticket, name):
    response = send(app, "zendesk", {"ticket_id": ticket, "tags": "replace", "order": name})
    assert response.json == {"status": "queued"}


@pytest.mark.parametrize("name", ["EU 1001", "order one", "#", "A" * 41 + "1"])
def test_an_order_reference_that_is_no_name_is_422(app, queued, name):
    response = send(app, "zendesk", {"ticket_id": "16", "tags": "replace", "order": name})
    assert response.json["fields"] == {"order": [NOT_AN_ORDER]}
