"""A receiver that is down: deliveries fail, Shopify drops API-made subscriptions after failures in a row,
and what was missed can still be found through the Admin API."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from sandbox.testing import WebhookReceiver, running_sandbox

ORDER_ID = 450789469
RECONCILE = """query($q: String!) { orders(first: 10, query: $q, sortKey: UPDATED_AT) { nodes { id name updatedAt
    refunds { id note createdAt totalRefundedSet { shopMoney { amount } }
        refundLineItems(first: 10) { nodes { quantity restockType lineItem { id } } } } } } }"""
SUBSCRIBE = """mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_UPDATED,
    webhookSubscription: {uri: $uri}) { webhookSubscription { id } userErrors { message } } }"""
SUBSCRIPTIONS = "{ webhookSubscriptions(first: 10) { nodes { id uri } } }"


@pytest.fixture(scope="module")
def down():
    with WebhookReceiver(status=503) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def shop(down):
    with running_sandbox(webhook_url=down.url, webhook_retries=0) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh(shop):
    shop.reset()


def test_a_refund_made_while_no_webhook_got_through_is_found_by_updated_at(shop):
    since = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = requests.post(f"{shop.url}/_sandbox/orders/{ORDER_ID}/refunds", timeout=5, json={
        "note": "damaged: please replace", "line_items": [{"line_item_id": 518995019, "quantity": 1}]})
    assert response.status_code == 201

    deliveries = shop.wait_for_webhooks()
    assert {d["topic"] for d in deliveries} == {"refunds/create", "orders/updated"}
    assert {d["status"] for d in deliveries} == {503}
    [order] = shop.data(RECONCILE, q=f"updated_at:>='{since}'")["orders"]["nodes"]
    assert order["name"] == "#1001"
    refund = order["refunds"][-1]
    assert refund["id"] == f"gid://shopify/Refund/{response.json()['refund']['id']}"
    assert refund["note"] == "damaged: please replace" and refund["createdAt"] >= since
    assert refund["refundLineItems"]["nodes"] == [
        {"quantity": 1, "restockType": "NO_RESTOCK", "lineItem": {"id": "gid://shopify/LineItem/518995019"}}]
    assert shop.data(RECONCILE, q="updated_at:>='2999-01-01T00:00:00Z'")["orders"]["nodes"] == []


def test_an_api_subscription_is_deleted_after_failures_in_a_row_but_the_app_configuration_is_not(shop, down):
    shop.configure(webhook_removal_failures=3, webhook_retries=2)
    subscription = shop.data(SUBSCRIBE, uri=down.url + "?api")["webhookSubscriptionCreate"]["webhookSubscription"]
    shop.tag(ORDER_ID, add=["needs-replacement"])

    deliveries = shop.wait_for_webhooks()

    by_target = {d["subscription_id"]: d for d in deliveries}
    api = by_target[int(subscription["id"].rsplit("/", 1)[1])]
    assert (api["attempts"], api["status"], api["subscription_removed"]) == (3, 503, True)
    assert by_target[None]["subscription_removed"] is False
    assert shop.data(SUBSCRIPTIONS) == {"webhookSubscriptions": {"nodes": []}}
    shop.configure(webhook_retries=0)
    shop.tag(ORDER_ID, add=["again"])
    assert [d["subscription_id"] for d in shop.wait_for_webhooks()[len(deliveries):]] == [None]


def test_a_delivery_that_gets_through_resets_the_count(shop):
    shop.configure(webhook_removal_failures=2, webhook_retries=0)
    with WebhookReceiver() as up:
        shop.data(SUBSCRIBE, uri=up.url)
        shop.tag(ORDER_ID, add=["a"])
        shop.tag(ORDER_ID, add=["b"])
        shop.wait_for_webhooks()

    [subscription] = shop.state()["webhook_subscriptions"]
    assert subscription["failures_in_a_row"] == 0
