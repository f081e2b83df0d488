"""What a real shop refuses or keeps: subscription lines on drafts, orders on a development store,
automatic discounts as the draft asked."""

import requests

from sandbox.testing import sandbox_fixtures

RED = "gid://shopify/ProductVariant/49148385"
CREATE = """mutation($input: DraftOrderInput!) { draftOrderCreate(input: $input) {
    draftOrder { id acceptAutomaticDiscounts } userErrors { field message } } }"""
COMPLETE = """mutation($id: ID!) { draftOrderComplete(id: $id) {
    draftOrder { id status order { id } } userErrors { field message } } }"""
PRODUCT = """query($id: ID!) { productVariant(id: $id) { product { requiresSellingPlan } } }"""

sandbox_server, shop = sandbox_fixtures(draft_ready_delay=0)


def create(shop, *variants: str, **extra) -> dict:
    lines = [{"variantId": variant, "quantity": 1} for variant in variants]
    return shop.data(CREATE, input={"lineItems": lines, **extra})["draftOrderCreate"]


def test_a_line_that_needs_a_selling_plan_cannot_go_on_a_draft(shop):
    response = requests.post(f"{shop.url}/_sandbox/products", timeout=5, json={
        "title": "Coffee club", "requires_selling_plan": True,
        "variants": [{"title": "Monthly", "sku": "COFFEE-M", "price": "20.00"}]})
    assert response.status_code == 201
    [variant] = response.json()["variants"]
    assert shop.data(PRODUCT, id=variant["gid"])["productVariant"]["product"] == {"requiresSellingPlan": True}

    answer = create(shop, RED, variant["gid"])

    assert answer == {"draftOrder": None, "userErrors": [{
        "field": ["lineItems", "1", "variantId"],
        "message": "Coffee club - Monthly can only be sold with a selling plan. "
                   "Draft orders don't currently support subscriptions."}]}
    assert shop.state()["counts"]["draft_orders"] == 0


def test_an_existing_product_can_be_made_subscription_only(shop):
    assert create(shop, RED)["userErrors"] == []
    response = requests.post(f"{shop.url}/_sandbox/products/632910392", json={"requires_selling_plan": True},
                             timeout=5)
    assert response.json()["requires_selling_plan"] is True

    assert create(shop, RED)["userErrors"][0]["field"] == ["lineItems", "0", "variantId"]


def test_a_new_product_is_stocked_and_can_be_ordered(shop):
    made = requests.post(f"{shop.url}/_sandbox/products", json={"variants": [{"sku": "MUG", "available": 3}]},
                         timeout=5).json()
    [variant] = made["variants"]

    assert create(shop, variant["gid"])["userErrors"] == []
    [stock] = [row for row in shop.state()["inventory"] if row["variant_id"] == variant["id"]]
    assert (stock["sku"], stock["available"]) == ("MUG", 3)


def test_a_development_store_cannot_complete_a_draft(shop):
    shop.configure(plan="development")
    draft = create(shop, RED)["draftOrder"]

    answer = shop.data(COMPLETE, id=draft["id"])["draftOrderComplete"]

    assert answer == {"draftOrder": None, "userErrors": [
        {"field": None, "message": "Change your plan to allow customers to checkout and to create orders."}]}
    assert shop.state()["counts"]["orders"] == 1
    assert shop.data("{ shop { plan { partnerDevelopment } } }")["shop"]["plan"] == {"partnerDevelopment": True}
    shop.configure(plan="standard")
    assert shop.data(COMPLETE, id=draft["id"])["draftOrderComplete"]["draftOrder"]["status"] == "COMPLETED"


def test_a_draft_keeps_accept_automatic_discounts_as_sent(shop):
    refused = create(shop, RED, acceptAutomaticDiscounts=False)["draftOrder"]
    unsaid = create(shop, RED)["draftOrder"]

    assert refused["acceptAutomaticDiscounts"] is False and unsaid["acceptAutomaticDiscounts"] is None
    kept = {draft["gid"]: draft["accept_automatic_discounts"] for draft in shop.state()["draft_orders"]}
    assert kept == {refused["id"]: False, unsaid["id"]: None}
