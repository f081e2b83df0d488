"""A customers/redact delivery, signed like any Shopify webhook, erases the customer's records
that a real replacement left in Redis, through a real worker."""

import json

from devtools.processes import wait_until
from tests.integration.conftest import ORDER_ID, send_order_webhook, wait_for_request
from tests.payloads import shopify_headers


def test_customer_redaction_erases_the_records_of_a_real_replacement(web, shop, state, workers):
    shop.tag(add=["needs-replacement"])
    send_order_webhook(web, shop.rest_order(), "wh-priv-1", "ev-priv-1")
    assert wait_for_request(state, "admin-450789469-1")["status"] == "done"
    assert state.journal_entries("admin-450789469-1")

    body = json.dumps({"shop_id": 1, "shop_domain": "example.myshopify.com", "orders_to_redact": [ORDER_ID],
                       "customer": {"id": 207119551, "email": "bob.norman@mail.example.com"}}).encode()
    forged = web.post("/webhooks/shopify", data=body, headers=shopify_headers(
        body, topic="customers/redact", webhook_id="wh-priv-2", secret="not-the-secret"))
    assert forged.status_code == 401
    response = web.post("/webhooks/shopify", data=body,
                        headers=shopify_headers(body, topic="customers/redact", webhook_id="wh-priv-3"))
    assert response.json == {"status": "queued"}

    wait_until(lambda: state.get("admin-450789469-1") is None, 20, message="the request record to be erased")
    assert state.journal_entries("admin-450789469-1") == []
    assert state.current_for_order("example.myshopify.com", str(ORDER_ID))[:2] == (None, 0)
    assert len(shop.replacements()) == 1  # Shopify's own orders are the merchant's, not erased by the service
