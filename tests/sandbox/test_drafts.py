"""Draft orders as Shopify computes and completes them: totals, userErrors, readiness, inventory."""

import time
from concurrent.futures import ThreadPoolExecutor

from sandbox.testing import sandbox_fixtures

READY_DELAY = 0.05
RED = "gid://shopify/ProductVariant/49148385"
GREEN = "gid://shopify/ProductVariant/39072856"

CREATE = """mutation($input: DraftOrderInput!) { draftOrderCreate(input: $input) {
    draftOrder { id name status ready note2 tags email customAttributes { key value }
        customer { id } shippingAddress { firstName city provinceCode province countryCodeV2 country }
        subtotalPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
        totalShippingPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount currencyCode } }
        lineItemsSubtotalPrice { shopMoney { amount } }
        shippingLine { title originalPriceSet { shopMoney { amount } } }
        appliedDiscount { title valueType value amountSet { shopMoney { amount } } }
        lineItems(first: 10) { nodes { sku quantity originalUnitPriceSet { shopMoney { amount } }
            discountedTotalSet { shopMoney { amount } } appliedDiscount { title value valueType } } } }
    userErrors { field message } } }"""
COMPLETE = """mutation($id: ID!) { draftOrderComplete(id: $id) {
    draftOrder { id status completedAt order { id name displayFinancialStatus sourceName tags note
        customAttributes { key value } totalPriceSet { shopMoney { amount } } customer { id }
        shippingLine { title originalPriceSet { shopMoney { amount } } }
        lineItems(first: 10) { nodes { sku quantity currentQuantity
            discountedTotalSet { shopMoney { amount } } } } } }
    userErrors { field message } } }"""
LEVELS = """query($id: ID!) { productVariant(id: $id) { inventoryQuantity inventoryItem {
    inventoryLevels(first: 1) { nodes { quantities(names: ["available", "committed", "reserved"]) {
        name quantity } } } } } }"""


def replacement_input(**overrides) -> dict:
    return {
        "purchasingEntity": {"customerId": "gid://shopify/Customer/207119551"},
        "email": "bob.norman@mail.example.com",
        "lineItems": [{"variantId": RED, "quantity": 2, "appliedDiscount": {
            "valueType": "PERCENTAGE", "value": 100.0, "title": "Replacement"}}],
        "shippingLine": {"title": "Replacement shipping",
                         "priceWithCurrency": {"amount": "0.00", "currencyCode": "USD"}},
        "shippingAddress": {"firstName": "Bob", "lastName": "Norman", "address1": "Chestnut Street 92",
                            "city": "Louisville", "provinceCode": "KY", "countryCode": "US", "zip": "40202"},
        "tags": ["replacement", "replacement-for-1001"],
        "note": "Replacement for #1001: broken (via admin)",
        "customAttributes": [{"key": "Replacement for", "value": "#1001"}],
        **overrides,
    }


sandbox_server, shop = sandbox_fixtures(draft_ready_delay=READY_DELAY)


def create(shop, **overrides) -> dict:
    return shop.data(CREATE, input=replacement_input(**overrides))["draftOrderCreate"]


def levels(shop, variant=RED) -> dict:
    item = shop.data(LEVELS, id=variant)["productVariant"]["inventoryItem"]
    return {q["name"]: q["quantity"] for q in item["inventoryLevels"]["nodes"][0]["quantities"]}


def test_full_line_discounts_and_free_shipping_make_a_zero_total(shop):
    result = create(shop)

    assert result["userErrors"] == []
    draft = result["draftOrder"]
    assert (draft["name"], draft["status"], draft["ready"]) == ("#D1", "OPEN", False)
    assert draft["totalPriceSet"]["shopMoney"] == {"amount": "0.0", "currencyCode": "USD"}
    assert draft["subtotalPriceSet"]["shopMoney"]["amount"] == "0.0"
    assert draft["totalDiscountsSet"]["shopMoney"]["amount"] == "398.0"
    assert draft["shippingLine"] == {
        "title": "Replacement shipping", "originalPriceSet": {"shopMoney": {"amount": "0.0"}},
    }
    [line] = draft["lineItems"]["nodes"]
    assert line["originalUnitPriceSet"]["shopMoney"]["amount"] == "199.0"
    assert line["discountedTotalSet"]["shopMoney"]["amount"] == "0.0"
    assert line["appliedDiscount"] == {"title": "Replacement", "value": 100.0, "valueType": "PERCENTAGE"}
    assert draft["note2"] == "Replacement for #1001: broken (via admin)"
    assert draft["tags"] == ["replacement", "replacement-for-1001"]
    assert draft["customer"] == {"id": "gid://shopify/Customer/207119551"}
    assert draft["shippingAddress"] == {"firstName": "Bob", "city": "Louisville", "provinceCode": "KY",
                                        "province": "Kentucky", "countryCodeV2": "US", "country": "United States"}


def test_partial_fixed_and_order_level_discounts_add_up(shop):
    draft = create(
        shop,
        lineItems=[
            {"variantId": RED, "quantity": 3, "appliedDiscount": {"valueType": "PERCENTAGE", "value": 12.5}},
            {"variantId": GREEN, "quantity": 2, "appliedDiscount": {"valueType": "FIXED_AMOUNT", "value": 10}},
        ],
        appliedDiscount={"valueType": "FIXED_AMOUNT", "value": 20, "title": "Goodwill"},
        shippingLine={"title": "Express", "priceWithCurrency": {"amount": "7.50", "currencyCode": "USD"}},
    )["draftOrder"]

    # 597.00 - 74.63 (12.5 %) + 398.00 - 20.00 (10.00 per unit) = 900.37, less 20.00 order discount, plus 7.50
    assert draft["lineItemsSubtotalPrice"]["shopMoney"]["amount"] == "900.37"
    assert draft["subtotalPriceSet"]["shopMoney"]["amount"] == "880.37"
    assert draft["totalDiscountsSet"]["shopMoney"]["amount"] == "114.63"
    assert draft["totalShippingPriceSet"]["shopMoney"]["amount"] == "7.5"
    assert draft["totalPriceSet"]["shopMoney"]["amount"] == "887.87"
    assert draft["appliedDiscount"]["amountSet"]["shopMoney"]["amount"] == "20.0"


def test_user_errors_for_no_lines_an_unknown_variant_and_a_bad_quantity(shop):
    assert create(shop, lineItems=[]) == {
        "draftOrder": None, "userErrors": [{"field": ["lineItems"], "message": "Add at least 1 line item"}],
    }
    unknown = create(shop, lineItems=[{"variantId": RED, "quantity": 1},
                                      {"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}])
    assert unknown == {"draftOrder": None, "userErrors": [
        {"field": ["lineItems", "1", "variantId"], "message": "Product with ID 1 is no longer available."}]}
    zero = create(shop, lineItems=[{"variantId": RED, "quantity": 0}])
    assert zero["userErrors"] == [{"field": ["lineItems", "0", "quantity"],
                                   "message": "Quantity must be greater than or equal to 1"}]
    assert shop.state()["counts"]["draft_orders"] == 0


def test_a_draft_is_ready_only_after_shopify_finished_computing_it(shop):
    draft_id = create(shop)["draftOrder"]["id"]

    early = shop.data(COMPLETE, id=draft_id)["draftOrderComplete"]
    assert early["userErrors"] == [{"field": ["id"], "message":
                                    "Draft order is not ready to be completed. Try again in a few seconds"}]
    time.sleep(READY_DELAY + 0.02)
    ready = shop.data("query($id: ID!) { draftOrder(id: $id) { ready } }", id=draft_id)
    assert ready == {"draftOrder": {"ready": True}}


def test_completing_makes_order_1002_paid_and_commits_stock(shop):
    draft_id = create(shop)["draftOrder"]["id"]
    time.sleep(READY_DELAY + 0.02)

    result = shop.data(COMPLETE, id=draft_id)["draftOrderComplete"]

    assert result["userErrors"] == []
    draft = result["draftOrder"]
    assert draft["status"] == "COMPLETED" and draft["completedAt"]
    order = draft["order"]
    assert (order["name"], order["displayFinancialStatus"], order["sourceName"]) == (
        "#1002", "PAID", "shopify_draft_order")
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "0.0"
    assert order["tags"] == ["replacement", "replacement-for-1001"]
    assert order["note"] == "Replacement for #1001: broken (via admin)"
    assert order["customAttributes"] == [{"key": "Replacement for", "value": "#1001"}]
    assert order["customer"] == {"id": "gid://shopify/Customer/207119551"}
    assert order["shippingLine"]["title"] == "Replacement shipping"
    assert order["lineItems"]["nodes"] == [{"sku": "IPOD2008RED", "quantity": 2, "currentQuantity": 2,
                                            "discountedTotalSet": {"shopMoney": {"amount": "0.0"}}}]
    assert levels(shop) == {"available": 48, "committed": 2, "reserved": 0}
    [replacement] = [o for o in shop.state()["orders"] if o["name"] == "#1002"]
    assert replacement["total_price"] == "0.00" and replacement["draft_order_id"]


def test_completing_twice_is_a_user_error_and_the_draft_keeps_its_order(shop):
    draft_id = create(shop)["draftOrder"]["id"]
    time.sleep(READY_DELAY + 0.02)
    first = shop.data(COMPLETE, id=draft_id)["draftOrderComplete"]["draftOrder"]["order"]["id"]

    again = shop.data(COMPLETE, id=draft_id)["draftOrderComplete"]

    assert again == {"draftOrder": None, "userErrors": [
        {"field": ["id"], "message": "This draft order has already been completed"}]}
    state = shop.state()
    assert state["counts"]["orders"] == 2
    assert shop.data("query($id: ID!) { draftOrder(id: $id) { order { id } } }", id=draft_id) == {
        "draftOrder": {"order": {"id": first}}}


def test_reserving_inventory_holds_units_until_completion(shop):
    draft_id = create(shop, reserveInventoryUntil="2099-01-01T00:00:00Z")["draftOrder"]["id"]
    assert levels(shop) == {"available": 48, "committed": 0, "reserved": 2}

    time.sleep(READY_DELAY + 0.02)
    shop.data(COMPLETE, id=draft_id)

    assert levels(shop) == {"available": 48, "committed": 2, "reserved": 0}


def test_an_expired_reservation_gives_the_units_back(shop):
    create(shop, reserveInventoryUntil="2001-01-01T00:00:00Z")

    assert levels(shop) == {"available": 50, "committed": 0, "reserved": 0}


def test_concurrent_creates_get_distinct_names(shop):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: create(shop)["draftOrder"]["name"], range(16)))

    assert sorted(results, key=lambda name: int(name[2:])) == [f"#D{n}" for n in range(1, 17)]


def test_draft_search_by_tag_and_status_and_delete(shop):
    kept = create(shop)["draftOrder"]["id"]
    other = create(shop, tags=["replacement", "replacement-for-1002"])["draftOrder"]["id"]
    query = "query($q: String!) { draftOrders(first: 10, query: $q) { nodes { id } } }"

    assert shop.data(query, q="tag:replacement-for-1001 status:open") == {"draftOrders": {"nodes": [{"id": kept}]}}
    delete = "mutation($id: ID!) { draftOrderDelete(input: {id: $id}) { deletedId userErrors { message } } }"
    deleted = shop.data(delete, id=other)
    assert deleted == {"draftOrderDelete": {"deletedId": other, "userErrors": []}}
    assert shop.data(query, q="tag:replacement") == {"draftOrders": {"nodes": [{"id": kept}]}}
