"""An order tagged in admin becomes exactly one zero-cost completed order: the whole path,
through a real Celery worker process, a real redis-server and the sandbox store."""

from tests.integration.conftest import send_order_webhook, wait_for_request


def test_signed_webhook_yields_one_free_completed_replacement(web, shop, state, workers):
    shop.tag(add=["needs-replacement"])

    response = send_order_webhook(web, shop.rest_order(), "wh-1", "ev-1")

    assert response.status_code == 200
    assert response.json == {"status": "queued"}
    assert wait_for_request(state, "admin-450789469-1")["status"] == "done"
    [replacement] = shop.replacements()
    assert replacement["name"] == "#1002"
    assert replacement["total_price"] == "0.00"
    assert replacement["financial_status"] == "PAID"
    assert replacement["source_name"] == "shopify_draft_order"
    assert [(line["sku"], line["quantity"], line["price"], line["discount"]) for line in replacement["line_items"]] == [
        ("IPOD2008RED", 1, "199.00", "199.00")]
    assert replacement["shipping_lines"] == [{"title": "Replacement shipping", "price": "0.00"}]
    assert replacement["tags"] == ["replacement", "replacement-for-1001"]
    assert replacement["note"] == "Replacement for #1001: replacement requested (via admin tag)"
    assert replacement["custom_attributes"] == [
        {"key": "Replacement for", "value": "#1001"},
        {"key": "Replacement reason", "value": "replacement requested"},
        {"key": "Replacement request", "value": "admin-450789469-1"},
    ]
    assert replacement["customer_id"] == 207119551
    assert replacement["email"] == "bob.norman@mail.example.com"
    assert replacement["shipping_address"]["address1"] == "Chestnut Street 92"
    original = shop.order("#1001")
    assert "needs-replacement" not in original["tags"]
    assert "replacement-issued" in original["tags"]
    [draft] = shop.drafts()
    assert draft["status"] == "COMPLETED"
    committed = {row["sku"]: row["committed"] for row in shop.state()["inventory"]}
    assert committed["IPOD2008RED"] == 1
    assert [e["event"] for e in state.journal_entries("admin-450789469-1")] == [
        "received", "creating", "draft_created", "completed", "done"]


def test_order_without_the_tag_is_ignored_and_makes_nothing(web, shop, workers):
    response = send_order_webhook(web, shop.rest_order(), "wh-2", "ev-2")
    assert response.json == {"status": "ignored", "reason": "order has no needs-replacement tag"}
    assert shop.replacements() == []
