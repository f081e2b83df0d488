"""Orders: tags, search, pagination, updates, cancellation and idempotent refunds, as on Shopify."""

import time

from sandbox.testing import sandbox_fixtures

SEED = "gid://shopify/Order/450789469"
TAGS_ADD = """mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) {
    node { id ... on Order { tags updatedAt } } userErrors { field message } } }"""
TAGS_REMOVE = """mutation($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) {
    node { ... on Order { tags } } userErrors { field message } } }"""
SEARCH = "query($q: String) { orders(first: 50, query: $q) { nodes { name } } }"
REFUND = """mutation($input: RefundInput!) { refundCreate(input: $input) @idempotent(key: "refund-key-1") {
    refund { id note totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes {
        quantity restockType lineItem { id } } } }
    order { displayFinancialStatus lineItems(first: 5) { nodes { id currentQuantity } } }
    userErrors { field message } } }"""
RED_LINE = "gid://shopify/LineItem/518995019"


sandbox_server, shop = sandbox_fixtures()


def names(shop, query: str | None) -> list[str]:
    return [node["name"] for node in shop.data(SEARCH, q=query)["orders"]["nodes"]]


def test_tags_add_and_remove_keep_tags_unique_and_bump_updated_at(shop):
    added = shop.data(TAGS_ADD, id=SEED, tags=["needs-replacement", "External", "vip, gift"])["tagsAdd"]

    assert added["userErrors"] == []
    assert added["node"]["tags"] == ["External", "gift", "Inbound", "needs-replacement", "Outbound", "vip"]
    assert added["node"]["updatedAt"] > "2025-04-02T16:31:21Z"
    removed = shop.data(TAGS_REMOVE, id=SEED, tags=["needs-replacement", "absent"])["tagsRemove"]
    assert removed["node"]["tags"] == ["External", "gift", "Inbound", "Outbound", "vip"]


def test_tagging_an_unknown_order_is_a_user_error(shop):
    assert shop.data(TAGS_ADD, id="gid://shopify/Order/1", tags=["x"]) == {
        "tagsAdd": {"node": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}}


def test_search_by_tag_tag_not_name_status_and_dates(shop):
    shop.create_orders(count=2, tags=["needs-replacement"])
    shop.create_orders(tags=["needs-replacement", "replacement-issued"])

    assert names(shop, "tag:needs-replacement") == ["#1002", "#1003", "#1004"]
    assert names(shop, "tag:needs-replacement tag_not:replacement-issued") == ["#1002", "#1003"]
    assert names(shop, "tag:needs-replacement -tag:replacement-issued") == ["#1002", "#1003"]
    assert names(shop, "name:1001") == names(shop, "name:#1001") == ["#1001"]
    assert names(shop, "name:#1002 OR name:#1004") == ["#1002", "#1004"]
    assert names(shop, "created_at:<'2020-01-01' status:open") == ["#1001"]
    assert names(shop, "updated_at:>='2020-01-01T00:00:00Z' tag:'replacement-issued'") == ["#1004"]
    everyone = ["#1001", "#1002", "#1003", "#1004"]
    assert names(shop, "email:bob.norman@mail.example.com customer_id:207119551") == everyone


def test_tag_search_is_exact_and_a_prefix_wildcard_is_refused(shop):
    shop.create_orders(tags=["needs-replacement"])
    shop.create_orders(tags=["Needs-Replacement-Damaged"])

    assert names(shop, "tag:NEEDS-REPLACEMENT") == ["#1002"]
    assert names(shop, "tag:needs-replacement-damaged") == ["#1003"]
    assert names(shop, "tag_not:needs-replacement") == ["#1001", "#1003"]
    error = shop.gql(SEARCH, q="tag:needs-replacement*")["errors"][0]
    assert error["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"
    assert "prefix wildcard on tag is not documented by Shopify" in error["message"]
    drafts = shop.gql('{ draftOrders(first: 5, query: "tag:replacement-for*") { nodes { id } } }')
    assert drafts["errors"][0]["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"


def test_order_names_are_free_form_and_found_regardless_of_case(shop):
    made = shop.create_orders(orders=[{"name": "EN1001", "line_items": [{"variant_id": 49148385}]},
                                      {"name": "1001-A", "line_items": [{"variant_id": 49148385}]}])
    assert [order["name"] for order in made] == ["EN1001", "1001-A"]
    shop.configure(order_name_prefix="SO-", order_name_suffix="-X")
    [prefixed] = shop.create_orders(count=1)

    assert prefixed["name"] == "SO-1004-X"
    assert names(shop, "name:en1001") == names(shop, "name:EN1001") == ["EN1001"]
    assert names(shop, "name:1001-a") == ["1001-A"]
    assert names(shop, "name:so-1004-x") == ["SO-1004-X"]
    assert names(shop, "name:1001") == ["#1001"]
    shop_format = shop.data("{ shop { orderNumberFormatPrefix orderNumberFormatSuffix } }")["shop"]
    assert shop_format == {"orderNumberFormatPrefix": "SO-", "orderNumberFormatSuffix": "-X"}


def test_an_unknown_search_filter_fails_loudly(shop):
    error = shop.gql(SEARCH, q="risk_level:high")["errors"][0]

    assert error["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"
    assert "risk_level" in error["message"]


def test_cursor_pagination_walks_every_order_once(shop):
    shop.create_orders(count=7, tags=["bulk"])
    page_query = """query($after: String) { orders(first: 3, after: $after, query: "tag:bulk") {
        edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""

    seen, after, pages = [], None, 0
    while True:
        page = shop.data(page_query, after=after)["orders"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (pages > 1)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [f"#{n}" for n in range(1002, 1009)]
    assert pages == 3
    newest_first = shop.data('{ orders(first: 2, reverse: true, sortKey: ORDER_NUMBER) { nodes { name } } }')
    assert newest_first == {"orders": {"nodes": [{"name": "#1008"}, {"name": "#1007"}]}}


def test_a_connection_without_first_or_last_is_refused(shop):
    error = shop.gql("{ orders { nodes { id } } }")["errors"][0]

    assert error["message"] == "you must provide one of first or last"


def test_order_update_overwrites_tags_note_and_attributes(shop):
    changes = {"id": SEED, "tags": ["only"], "note": "hi", "customAttributes": [{"key": "a", "value": "b"}]}
    result = shop.data("""mutation($input: OrderInput!) { orderUpdate(input: $input) {
        order { tags note customAttributes { key value } } userErrors { message } } }""", input=changes)

    assert result["orderUpdate"] == {"order": {"tags": ["only"], "note": "hi", "customAttributes": [
        {"key": "a", "value": "b"}]}, "userErrors": []}


CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id, restock: true, reason: CUSTOMER) {
    job { id done } orderCancelUserErrors { field message code } } }"""
CANCELLED = '{ order(id: "gid://shopify/Order/450789469") { cancelledAt cancelReason } }'
JOB = "query($id: ID!) { job(id: $id) { id done query { shop { name } } } }"


def test_order_cancel_is_a_job_the_order_is_cancelled_when_it_is_done(shop):
    shop.configure(cancel_job_seconds=0.3)

    answer = shop.data(CANCEL, id=SEED)["orderCancel"]

    assert answer["orderCancelUserErrors"] == [] and answer["job"]["done"] is False
    job_id = answer["job"]["id"]
    assert job_id.startswith("gid://shopify/Job/")
    assert shop.data(JOB, id=job_id)["job"] == {"id": job_id, "done": False, "query": None}
    assert shop.data(CANCELLED)["order"] == {"cancelledAt": None, "cancelReason": None}
    time.sleep(0.35)
    assert shop.data(JOB, id=job_id)["job"] == {"id": job_id, "done": True,
                                                "query": {"shop": {"name": "Example Store"}}}
    order = shop.data(CANCELLED)["order"]
    assert order["cancelledAt"] and order["cancelReason"] == "CUSTOMER"
    assert names(shop, "status:cancelled") == ["#1001"]
    again = shop.data(CANCEL, id=SEED)["orderCancel"]
    assert again == {"job": None, "orderCancelUserErrors": [
        {"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"}]}


def test_the_cancel_job_happens_without_anyone_asking(shop):
    shop.configure(cancel_job_seconds=0.1)
    shop.data(CANCEL, id=SEED)
    time.sleep(0.3)

    [order] = [o for o in shop.state()["orders"] if o["gid"] == SEED]
    assert order["cancelled_at"] is not None


def test_a_cancel_job_can_fail_and_leave_the_order_as_it_was(shop):
    shop.configure(cancel_job_seconds=0.05)
    shop.faults({"field": "orderCancel", "action": "job_fails", "nth": 1})

    job_id = shop.data(CANCEL, id=SEED)["orderCancel"]["job"]["id"]
    time.sleep(0.1)

    assert shop.data(JOB, id=job_id)["job"]["done"] is True
    assert shop.data(CANCELLED)["order"]["cancelledAt"] is None
    assert shop.data(CANCEL, id=SEED)["orderCancel"]["orderCancelUserErrors"] == []


def test_with_no_delay_the_cancel_job_is_done_at_once_and_unknown_jobs_are_null(shop):
    shop.configure(cancel_job_seconds=0)

    assert shop.data(CANCEL, id=SEED)["orderCancel"]["job"]["done"] is True
    assert shop.data(CANCELLED)["order"]["cancelledAt"] is not None
    assert shop.data(JOB, id="gid://shopify/Job/00000000-0000-0000-0000-000000000000") == {"job": None}


def test_refund_create_needs_the_idempotent_directive(shop):
    body = shop.gql("""mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } } }""",
                    input={"orderId": SEED, "refundLineItems": [{"lineItemId": RED_LINE, "quantity": 1}]})

    assert body["data"] == {"refundCreate": None}
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert shop.state()["counts"]["refunds"] == 1  # the seed's own refund


def test_refund_create_is_idempotent_per_key(shop):
    refund_input = {"orderId": SEED, "note": "replace please",
                    "refundLineItems": [{"lineItemId": RED_LINE, "quantity": 1, "restockType": "NO_RESTOCK"}]}

    first = shop.data(REFUND, input=refund_input)["refundCreate"]
    again = shop.data(REFUND, input=refund_input)["refundCreate"]

    assert first["userErrors"] == []
    assert again["refund"]["id"] == first["refund"]["id"]
    assert first["refund"]["refundLineItems"]["nodes"] == [
        {"quantity": 1, "restockType": "NO_RESTOCK", "lineItem": {"id": RED_LINE}}]
    current = {n["id"]: n["currentQuantity"] for n in again["order"]["lineItems"]["nodes"]}
    assert current[RED_LINE] == 0
    assert shop.state()["counts"]["refunds"] == 2

    mismatch = shop.gql(REFUND, input={**refund_input, "note": "something else"})
    assert mismatch["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert shop.state()["counts"]["refunds"] == 2


def test_refunding_more_than_remains_is_a_user_error(shop):
    result = shop.data(REFUND, input={"orderId": SEED, "refundLineItems": [
        {"lineItemId": "gid://shopify/LineItem/466157049", "quantity": 1}]})["refundCreate"]

    assert result["refund"] is None
    assert result["userErrors"] == [{"field": ["refundLineItems", "0", "quantity"],
                                     "message": "Quantity cannot refund more items than were purchased"}]
