"""Query cost and the leaky bucket: what Shopify charges, when it throttles, and the log that proves it."""

import time

from sandbox.testing import sandbox_fixtures

SEED = "gid://shopify/Order/450789469"
TAGS_ADD = "mutation($id: ID!) { tagsAdd(id: $id, tags: [\"x\"]) { userErrors { message } } }"
DRAFT = """mutation { draftOrderCreate(input: {lineItems: [{variantId: "gid://shopify/ProductVariant/49148385",
    quantity: 1}]}) { draftOrder { id } } }"""
ORDER_WITH_LINES = """query($id: ID!) { order(id: $id) { id customer { id } shippingAddress { city }
    lineItems(first: 100) { nodes { id variant { id } originalUnitPriceSet { shopMoney { amount } } } } } }"""


sandbox_server, shop = sandbox_fixtures()


def cost(body: dict) -> dict:
    return body["extensions"]["cost"]


def test_requested_cost_sizes_connections_by_first_and_actual_by_what_came_back(shop):
    body = shop.gql(ORDER_WITH_LINES, id=SEED)

    # order 1 + customer 1 + address 1 + lineItems (2 + 100 × (node 1 + variant 1 + price set 1 + money 1))
    assert cost(body)["requestedQueryCost"] == 405
    assert cost(body)["actualQueryCost"] == 3 + 2 + 3 * 4
    assert cost(body)["throttleStatus"] == {"maximumAvailable": 2000.0, "currentlyAvailable": 1983,
                                            "restoreRate": 100.0}


def test_a_field_left_out_by_a_directive_costs_nothing_requested_or_actual(shop):
    query = """query($id: ID!, $with: Boolean!) { order(id: $id) { id shippingLine @include(if: $with) { title }
        billingAddress @skip(if: $with) { city } } }"""
    assert cost(shop.gql(query, id=SEED, **{"with": True}))["requestedQueryCost"] == 2
    left_out = shop.gql(query, id=SEED, **{"with": False})
    assert "shippingLine" not in left_out["data"]["order"]
    assert cost(left_out)["requestedQueryCost"] == 2
    assert cost(left_out)["actualQueryCost"] == 2


def test_a_line_bought_on_a_selling_plan_costs_a_point_and_others_nothing(shop):
    query = """query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { sellingPlan { name } } } } }"""
    body = shop.gql(query, id=SEED)
    lines = body["data"]["order"]["lineItems"]["nodes"]
    assert all(line["sellingPlan"] is None for line in lines)
    assert cost(body)["actualQueryCost"] == 1 + 2 + len(lines)


def test_a_mutation_costs_ten(shop):
    assert cost(shop.gql(TAGS_ADD, id=SEED))["requestedQueryCost"] == 10


def test_plans_set_the_restore_rate_and_the_bucket(shop):
    shop.configure(plan="plus")

    status = cost(shop.gql("{ shop { name } }"))["throttleStatus"]

    assert (status["restoreRate"], status["maximumAvailable"]) == (1000.0, 20000.0)


def test_a_query_above_1000_points_is_refused_whole(shop):
    body = shop.gql("{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }")

    assert "data" not in body
    error = body["errors"][0]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 63252, "maxCost": 1000}
    assert error["message"].startswith("Query cost is 63252, which exceeds the single query max cost limit (1000).")


def test_a_call_costing_more_than_is_left_is_throttled_and_not_run(shop):
    shop.configure(maximum_available=30, restore_rate=100)
    for _ in range(3):
        shop.gql(TAGS_ADD, id=SEED)

    body = shop.gql(DRAFT)

    assert body == {
        "errors": [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": None,
                                "throttleStatus": body["extensions"]["cost"]["throttleStatus"]}},
    }
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 10
    assert shop.state()["counts"]["draft_orders"] == 0


def test_the_bucket_restores_over_time(shop):
    shop.configure(maximum_available=30, restore_rate=100)
    for _ in range(3):
        shop.gql(TAGS_ADD, id=SEED)
    assert "errors" in shop.gql(DRAFT)

    time.sleep(0.12)

    assert "errors" not in shop.gql(DRAFT)
    assert shop.state()["counts"]["draft_orders"] == 1


def test_throttling_can_answer_429_with_retry_after(shop):
    shop.configure(maximum_available=5, restore_rate=1, throttle_status=429)

    response = shop.post_graphql(DRAFT)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "5"
    assert response.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


def test_the_call_log_shows_every_charge_and_that_nothing_overdrew(shop):
    shop.configure(maximum_available=60, restore_rate=50)
    for _ in range(8):
        shop.gql(TAGS_ADD, id=SEED)
    time.sleep(0.2)
    shop.gql("{ orders(first: 5) { nodes { id } } }")

    calls = shop.calls()

    assert len(calls) == 9
    charged = [call for call in calls if not call["throttled"]]
    throttled = [call for call in calls if call["throttled"]]
    assert throttled and charged
    assert all(call["requested_cost"] <= call["available_before"] for call in charged)
    assert {call["root_fields"][0] for call in calls} == {"tagsAdd", "orders"}
    query = calls[-1]
    assert (query["requested_cost"], query["throttled"]) == (7, False)
    assert query["actual_cost"] == query["charged"] == 3
