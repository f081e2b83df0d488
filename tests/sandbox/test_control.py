"""`/_sandbox/*` and webhooks: what a merchant does in admin, and what Shopify then sends."""

import base64
import hashlib
import hmac

import pytest
import requests

from sandbox.testing import WebhookReceiver, running_sandbox
from sandbox.vendored import sample

ORDER_ID = 450789469
SECRET = "shpss_sandbox_test"
SAMPLE = sample("order-tags-updated.rest-2026-07.json")


@pytest.fixture(scope="module")
def receiver():
    with WebhookReceiver() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def shop(receiver):
    with running_sandbox(webhook_url=receiver.url, webhook_secret=SECRET, webhook_retries=0) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh(shop, receiver):
    shop.reset()
    receiver.received.clear()


def delivered(shop, receiver) -> list[dict]:
    shop.wait_for_webhooks()
    return receiver.received


def test_the_seed_order_renders_as_the_rest_sample(shop):
    assert shop.rest_order(ORDER_ID) == SAMPLE


def test_a_merchant_tag_change_shows_in_the_rest_body(shop):
    shop.tag(ORDER_ID, add=["needs-replacement"])

    body = shop.rest_order(ORDER_ID)

    assert body["tags"] == "External, Inbound, needs-replacement, Outbound"
    assert body["updated_at"] > SAMPLE["updated_at"]
    assert [line["current_quantity"] for line in body["line_items"]] == [0, 1, 0]
    assert set(body) == set(SAMPLE)


def test_orders_made_in_bulk_copy_the_seed_and_render_in_the_samples_shape(shop):
    made = shop.create_orders(count=3, tags=["needs-replacement"])

    assert [order["name"] for order in made] == ["#1002", "#1003", "#1004"]
    body = shop.rest_order(made[0]["id"])
    assert set(body) == set(SAMPLE)
    assert set(body["line_items"][0]) == set(SAMPLE["line_items"][0])
    assert body["tags"] == "needs-replacement"
    assert [(line["variant_id"], line["quantity"], line["current_quantity"]) for line in body["line_items"]] == [
        (line["variant_id"], line["quantity"], line["current_quantity"]) for line in SAMPLE["line_items"]
    ]
    assert body["customer"]["id"] == 207119551 and body["shipping_address"]["zip"] == "40202"


def test_an_order_from_a_full_spec(shop):
    [made] = shop.create_orders(email="ann@example.com", tags=["vip"], note="gift", line_items=[
        {"variant_id": 49148385, "quantity": 2},
        {"title": "Gift card", "price": "25.00", "gift_card": True},
    ], shipping_lines=[{"title": "Standard", "price": "5.00"}])

    [order] = [o for o in shop.state()["orders"] if o["id"] == made["id"]]
    assert order["total_price"] == "428.00"
    assert [(line["sku"], line["quantity"], line["gift_card"], line["requires_shipping"])
            for line in order["line_items"]] == [("IPOD2008RED", 2, False, True), (None, 1, True, False)]


def test_a_bad_order_spec_is_a_422(shop):
    response = requests.post(f"{shop.url}/_sandbox/orders", json={"line_items": [{"variant_id": 1}]}, timeout=5)

    assert response.status_code == 422
    assert response.json() == {"error": "no variant 1"}


def test_a_tag_change_sends_a_signed_orders_updated_webhook(shop, receiver):
    shop.tag(ORDER_ID, add=["needs-replacement"])

    [webhook] = delivered(shop, receiver)

    headers = webhook["headers"]
    assert headers["X-Shopify-Topic"] == "orders/updated"
    assert headers["X-Shopify-Shop-Domain"] == "example.myshopify.com"
    assert headers["X-Shopify-Api-Version"] == "2026-04"
    assert headers["X-Shopify-Webhook-Id"] and headers["X-Shopify-Event-Id"] and headers["X-Shopify-Triggered-At"]
    expected = base64.b64encode(hmac.new(SECRET.encode(), webhook["raw"], hashlib.sha256).digest()).decode()
    assert headers["X-Shopify-Hmac-Sha256"] == expected
    assert webhook["body"]["id"] == ORDER_ID
    assert webhook["body"]["tags"] == "External, Inbound, needs-replacement, Outbound"


def test_the_apps_own_tags_add_echoes_as_a_webhook(shop, receiver):
    shop.data('mutation { tagsAdd(id: "gid://shopify/Order/450789469", tags: ["replacement-issued"]) '
              '{ userErrors { message } } }')

    [webhook] = delivered(shop, receiver)

    assert "replacement-issued" in webhook["body"]["tags"]


def test_a_merchant_refund_sends_refunds_create(shop, receiver):
    response = requests.post(f"{shop.url}/_sandbox/orders/{ORDER_ID}/refunds", json={
        "note": "please replace", "line_items": [{"line_item_id": 518995019, "quantity": 1}]}, timeout=5)
    assert response.status_code == 201

    webhooks = {w["headers"]["X-Shopify-Topic"]: w["body"] for w in delivered(shop, receiver)}

    refund = webhooks["refunds/create"]
    assert refund["note"] == "please replace" and refund["order_id"] == ORDER_ID
    assert [(li["line_item_id"], li["quantity"], li["restock_type"]) for li in refund["refund_line_items"]] == [
        (518995019, 1, "no_restock")]
    assert webhooks["orders/updated"]["line_items"][1]["current_quantity"] == 0


def test_a_subscription_gets_its_filter_and_include_fields(shop, receiver):
    created = shop.data("""mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE,
        webhookSubscription: {uri: $uri, filter: "tags:vip", includeFields: ["id", "tags", "line_items.sku"]}) {
        webhookSubscription { id topic uri filter includeFields } userErrors { message } } }""", uri=receiver.url)
    assert created["webhookSubscriptionCreate"]["webhookSubscription"]["includeFields"] == [
        "id", "tags", "line_items.sku"]

    shop.create_orders(count=1, tags=["vip"])
    shop.create_orders(count=1, tags=["other"])

    creates = [w["body"] for w in delivered(shop, receiver) if w["headers"]["X-Shopify-Topic"] == "orders/create"]
    assert len(creates) == 1
    assert set(creates[0]) == {"id", "tags", "line_items"}
    assert creates[0]["line_items"][0] == {"sku": "IPOD2008GREEN"}


def test_config_takes_known_keys_only(shop):
    response = requests.post(f"{shop.url}/_sandbox/config", json={"bogus": 1}, timeout=5)

    assert response.status_code == 422
    assert response.json()["error"].startswith("unknown config keys: bogus")


@pytest.mark.parametrize("change", [{"token_lifetime": -1}, {"cancel_job_seconds": "soon"}, {"refuse_mint": 3},
                                    {"plan": "basic"}])
def test_config_refuses_values_it_cannot_use(shop, change):
    assert requests.post(f"{shop.url}/_sandbox/config", json=change, timeout=5).status_code == 422
