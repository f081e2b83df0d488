"""Replays: Shopify signs the body but not X-Shopify-Webhook-Id, -Event-Id or -Topic, so anyone
holding one captured delivery can send it again under new ids or another topic. Measured before
the web tier deduped on the body: one body sent 200 times queued 200 tasks, 3,800 API points of
order reads; an orders/updated body sent as shop/redact erased the shop's records.

The tests wait for an idle queue, `unacked` included: on a Redis of their own (`own_service`),
where no earlier test left a message whose ack was lost (it waits there for the visibility timeout)."""

import json

import pytest

from core.metrics import queue_depth
from devtools.processes import wait_until
from tests.integration.conftest import send_order_webhook, wait_for_request
from tests.payloads import shopify_headers

REQUEST = "admin-450789469-1"


def idle(client) -> bool:
    return queue_depth(client) == 0 and client.hlen("unacked") == 0


@pytest.fixture(scope="module")
def replays(own_service):
    with own_service("replays", concurrency=2) as service:
        yield service


@pytest.fixture
def service(replays):
    replays.clean()
    return replays


@pytest.fixture
def web(service):
    return service.web()


@pytest.fixture
def state(service):
    return service.state


def test_a_body_sent_200_times_under_new_ids_is_one_task_and_one_replacement_s_points(web, shop, state, service):
    shop.tag(add=["needs-replacement"])
    order = shop.rest_order()

    answers = [send_order_webhook(web, order, f"wh-replay-{n}", f"ev-replay-{n}").json["status"] for n in range(200)]

    assert answers == ["queued"] + ["duplicate"] * 199
    assert wait_for_request(state, REQUEST)["status"] == "done"
    wait_until(lambda: idle(service.client), 20, message="the queue to be empty")
    reads = [call for call in shop.calls() if call["operation"] == "OrderForReplacement"]
    assert len(reads) == 1
    charged = sum(call["charged"] for call in shop.calls())
    print(f"200 deliveries of one body: {answers.count('queued')} queued, {len(reads)} order read, "
          f"{charged} points charged in all")
    assert charged <= 100  # one replacement (67 points on the sandbox's #1001), not 200 reads of 19
    assert len(shop.replacements()) == 1


def test_captured_bodies_sent_as_shop_redact_erase_nothing(web, shop, state, service):
    shop.tag(add=["needs-replacement"])
    order = json.dumps(shop.rest_order()).encode()
    assert web.post("/webhooks/shopify", data=order, headers=shopify_headers(order)).json == {"status": "queued"}
    assert wait_for_request(state, REQUEST)["status"] == "done"
    wait_until(lambda: idle(service.client), 20, message="the queue to be empty")
    redact = json.dumps({"shop_id": 1, "shop_domain": "example.myshopify.com", "orders_to_redact": [450789469],
                         "customer": {"id": 207119551, "email": "bob.norman@mail.example.com"}}).encode()

    for n, body in enumerate((order, redact)):
        answer = web.post("/webhooks/shopify", data=body,
                          headers=shopify_headers(body, topic="shop/redact", webhook_id=f"wh-forged-{n}"))
        assert answer.status_code == 422, answer.json

    client = service.client
    assert queue_depth(client) == 0
    assert state.get(REQUEST)["status"] == "done"
    assert state.journal_entries(REQUEST)
    assert client.keys("rw:seen:shopify:example.myshopify.com:*")
