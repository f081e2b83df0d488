"""Shopify's compliance topics: verified like every topic, then handed to the compliance task."""

import json

import fakeredis
import pytest

from tests.payloads import SHOP, shopify_headers, tagged_order
from web import create_app

TASK = "worker.tasks.handle_compliance"
CUSTOMER = {"id": 207119551, "email": "bob.norman@mail.example.com", "phone": "555-625-1199"}
BODIES = {
    "customers/data_request": {"shop_id": 954889, "shop_domain": SHOP, "orders_requested": [450789469],
                               "customer": CUSTOMER, "data_request": {"id": 9999}},
    "customers/redact": {"shop_id": 954889, "shop_domain": SHOP, "customer": CUSTOMER,
                         "orders_to_redact": [450789469, 450789470]},
    "shop/redact": {"shop_id": 954889, "shop_domain": SHOP},
}


@pytest.fixture
def app(settings):
    return create_app(settings, redis_client=fakeredis.FakeRedis())



def post(app, topic: str, body: dict | None = None, **overrides):
    raw = json.dumps(BODIES[topic] if body is None else body).encode()
    return app.test_client().post("/webhooks/shopify", data=raw,
                                  headers=shopify_headers(raw, topic=topic, webhook_id=f"wh-{topic}", **overrides))


def test_each_compliance_topic_is_queued_for_the_compliance_task(app, queued):
    for topic in BODIES:
        assert post(app, topic).json == {"status": "queued"}
    assert [call.kwargs["args"] for call in queued.call_args_list] == [
        [{"topic": "customers/data_request", "customer_id": 207119551, "email": "bob.norman@mail.example.com",
          "orders": [450789469], "data_request_id": 9999, "shop": SHOP}],
        [{"topic": "customers/redact", "customer_id": 207119551, "email": "bob.norman@mail.example.com",
          "orders": [450789469, 450789470], "data_request_id": None, "shop": SHOP}],
        [{"topic": "shop/redact", "shop": SHOP}],
    ]
    assert {call.args[0] for call in queued.call_args_list} == {TASK}


@pytest.mark.parametrize("topic", sorted(BODIES))
def test_a_bad_signature_is_401(app, queued, topic):
    response = post(app, topic, secret="wrong")
    assert response.status_code == 401
    queued.assert_not_called()


@pytest.mark.parametrize("topic", sorted(BODIES))
def test_a_shop_not_configured_is_403(app, queued, topic):
    assert post(app, topic, shop="other.myshopify.com").status_code == 403
    queued.assert_not_called()


def test_a_customer_request_without_a_customer_is_422(app, queued):
    response = post(app, "customers/redact", {"shop_id": 954889, "shop_domain": SHOP, "orders_to_redact": [1]})
    assert response.status_code == 422
    assert response.json["fields"] == {"customer": ["Missing data for required field."]}
    queued.assert_not_called()


# Shopify signs the body, not the topic: a captured body sent again under another topic must
# never be acted on. An orders/updated body sent as shop/redact erased the shop's records.
MISMATCHES = [(body_topic, topic) for body_topic in BODIES for topic in BODIES if body_topic != topic]


@pytest.mark.parametrize("body_topic, topic", MISMATCHES)
def test_a_compliance_body_sent_under_another_compliance_topic_is_422(app, queued, body_topic, topic):
    response = post(app, topic, BODIES[body_topic])
    assert response.status_code == 422
    queued.assert_not_called()


def test_a_customer_body_as_shop_redact_names_the_fields_of_another_topic(app, queued):
    response = post(app, "shop/redact", BODIES["customers/redact"])
    assert response.json["fields"] == {"customer": ["is not a field of shop/redact"],
                                       "orders_to_redact": ["is not a field of shop/redact"]}


@pytest.mark.parametrize("topic", sorted(BODIES))
def test_an_order_body_sent_as_a_compliance_topic_is_422(app, queued, topic):
    response = post(app, topic, tagged_order("needs-replacement"))
    assert response.status_code == 422
    assert "shop_domain" in response.json["fields"]
    queued.assert_not_called()


@pytest.mark.parametrize("topic", sorted(BODIES))
def test_a_body_of_another_shop_is_422(app, queued, topic):
    """Several shops may share one app's secret: a body signed for one cannot speak for another."""
    response = post(app, topic, {**BODIES[topic], "shop_domain": "other.myshopify.com"})
    assert response.status_code == 422
    assert response.json["fields"] == {"shop_domain": ["is not the shop of the X-Shopify-Shop-Domain header"]}
    queued.assert_not_called()


def test_the_shop_header_is_compared_in_any_case(app, queued):
    assert post(app, "shop/redact", shop=SHOP.upper()).json == {"status": "queued"}


def test_a_customer_without_email_or_phone_is_still_a_request(app, queued):
    body = {**BODIES["customers/redact"], "customer": {"id": 207119551, "email": None, "phone": None}}
    assert post(app, "customers/redact", body).json == {"status": "queued"}
