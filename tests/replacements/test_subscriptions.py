"""The steps from the subscriptions a shop has to the ones the service wants."""

from replacements.subscriptions import WANTED, duplicated, missing, outdated, plan

URI = "https://replacements.example.com/webhooks/shopify"


def subscription(topic: str, uri: str = URI, **changes) -> dict:
    want = next(want for want in WANTED if want.topic == topic)
    return {"id": f"gid://shopify/WebhookSubscription/{topic}", "topic": topic, "uri": uri, "filter": None,
            "includeFields": list(want.include_fields), **changes}


def test_what_is_missing_is_created_what_is_in_place_kept():
    steps = plan([subscription("REFUNDS_CREATE")], URI)
    assert [(step.topic, step.action) for step in steps] == [
        ("ORDERS_UPDATED", "create"), ("REFUNDS_CREATE", "keep"), ("ORDERS_CANCELLED", "create")]


def test_the_delivery_filter_an_earlier_release_registered_is_cleared():
    filtered = subscription("ORDERS_UPDATED", filter="tags:needs-replacement*")
    [step, *_] = plan([filtered], URI)
    assert (step.action, step.existing_id) == ("update", filtered["id"])
    assert step.input == {"uri": URI, "format": "JSON", "filter": None,
                          "includeFields": ["id", "admin_graphql_api_id", "name", "tags", "updated_at"]}
    assert outdated([filtered]) == ["ORDERS_UPDATED"]


def test_a_subscription_at_another_address_is_left_alone_but_counts_as_subscribed():
    elsewhere = subscription("ORDERS_CANCELLED", uri="https://old.example.com/hooks")
    assert [step.action for step in plan([elsewhere], URI)] == ["create", "create", "create"]
    assert missing([elsewhere]) == ["ORDERS_UPDATED", "REFUNDS_CREATE"]
    assert duplicated([elsewhere]) == ["ORDERS_CANCELLED"]
