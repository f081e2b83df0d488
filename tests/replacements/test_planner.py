from decimal import Decimal

import pytest

from replacements.planner import PlanError, mailing_address_input, order_number, plan_replacement
from tests.payloads import graphql_order

REQUEST = {"request_id": "admin-450789469-1", "source": "admin_tag", "source_label": "admin tag",
           "reason": "arrived broken"}


def test_sample_order_replaces_only_the_line_with_current_quantity():
    plan = plan_replacement(graphql_order(), REQUEST)

    assert [(line.sku, line.quantity) for line in plan.lines] == [("IPOD2008RED", 1)]
    assert plan.retail_value == Decimal("199.00")
    assert plan.draft_input["lineItems"] == [{
        "variantId": "gid://shopify/ProductVariant/49148385",
        "quantity": 1,
        "priceOverride": {"amount": "199.00", "currencyCode": "USD"},
        "appliedDiscount": {"valueType": "PERCENTAGE", "value": 100.0, "title": "Replacement"},
    }]


def test_draft_is_free_tagged_noted_and_addressed_as_the_contract_says():
    draft = plan_replacement(graphql_order(), REQUEST).draft_input

    assert draft["shippingLine"] == {"title": "Replacement shipping",
                                     "priceWithCurrency": {"amount": "0.00", "currencyCode": "USD"}}
    assert draft["tags"] == ["replacement", "replacement-for-1001"]
    assert draft["note"] == "Replacement for #1001: arrived broken (via admin tag)"
    assert draft["customAttributes"] == [
        {"key": "Replacement for", "value": "#1001"},
        {"key": "Replacement reason", "value": "arrived broken"},
        {"key": "Replacement request", "value": "admin-450789469-1"},
    ]
    assert draft["acceptAutomaticDiscounts"] is False  # never an automatic discount on a replacement
    assert draft["purchasingEntity"] == {"customerId": "gid://shopify/Customer/207119551"}
    assert draft["email"] == "bob.norman@mail.example.com"
    assert draft["shippingAddress"]["countryCode"] == "US"
    assert "countryCodeV2" not in draft["shippingAddress"]


def test_gift_cards_unshippable_and_removed_lines_are_left_out():
    order = graphql_order()
    lines = order["lineItems"]["nodes"]
    lines[0].update(currentQuantity=2, isGiftCard=True)
    lines[2].update(currentQuantity=1, requiresShipping=False)

    plan = plan_replacement(order, REQUEST)

    assert [line.sku for line in plan.lines] == ["IPOD2008RED"]


def test_requested_lines_by_sku_variant_or_line_id_with_quantities():
    order = graphql_order()
    order["lineItems"]["nodes"][0]["currentQuantity"] = 3
    request = {**REQUEST, "lines": [{"sku": "IPOD2008GREEN", "quantity": 2},
                                    {"variant_id": "49148385"},
                                    ]}

    plan = plan_replacement(order, request)

    assert [(line.sku, line.quantity) for line in plan.lines] == [("IPOD2008GREEN", 2), ("IPOD2008RED", 1)]
    by_line_id = plan_replacement(order, {**REQUEST, "lines": [{"line_item_id": 518995019, "quantity": 1}]})
    assert [line.sku for line in by_line_id.lines] == ["IPOD2008RED"]


@pytest.mark.parametrize("lines, message", [
    ([{"sku": "IPOD2008RED", "quantity": 2}], "line IPOD2008RED: 2 requested but the order holds 1"),
    ([{"sku": "NOPE"}], "the order has no line with sku NOPE"),
    ([{"quantity": 1}], "a requested line names no line item id, variant id or SKU"),
    ([{"sku": "IPOD2008RED"}, {"variant_id": 49148385}], "line IPOD2008RED is named twice"),
])
def test_bad_requested_lines_fail_with_a_clear_reason(lines, message):
    with pytest.raises(PlanError, match=message):
        plan_replacement(graphql_order(), {**REQUEST, "lines": lines})


def test_cancelled_order_and_deleted_variant_fail_with_a_clear_reason():
    with pytest.raises(PlanError, match="order #1001 is cancelled"):
        plan_replacement(graphql_order(cancelledAt="2026-11-01T10:00:00Z"), REQUEST)
    order = graphql_order()
    order["lineItems"]["nodes"][1]["variant"] = None
    with pytest.raises(PlanError, match="line IPOD2008RED: its product variant no longer exists"):
        plan_replacement(order, REQUEST)


def test_nothing_left_to_replace():
    order = graphql_order()
    order["lineItems"]["nodes"][1]["currentQuantity"] = 0
    with pytest.raises(PlanError, match="has no shippable line left to replace"):
        plan_replacement(order, REQUEST)


def test_request_address_wins_and_draft_mode_reserves():
    address = {"address1": "1 New Road", "city": "Austin", "countryCode": "US", "zip": "78701"}
    plan = plan_replacement(graphql_order(), {**REQUEST, "shipping_address": address},
                            extra_tags=("replacement-pending-approval",), reserve_until="2026-12-01T00:00:00Z")
    assert plan.draft_input["shippingAddress"] == address
    assert plan.draft_input["tags"][-1] == "replacement-pending-approval"
    assert plan.draft_input["reserveInventoryUntil"] == "2026-12-01T00:00:00Z"


def test_mailing_address_input_keeps_only_input_fields():
    assert mailing_address_input(None) is None
    assert mailing_address_input({"countryCodeV2": "CA", "city": "Ottawa", "latitude": 1.0}) == {
        "city": "Ottawa", "countryCode": "CA"}


# what real Shopify forces on a plan --------------------------------------------------------

def test_a_subscription_only_line_fails_naming_the_line_before_any_draft():
    order = graphql_order()
    order["lineItems"]["nodes"][1]["variant"]["product"] = {"requiresSellingPlan": True}

    with pytest.raises(PlanError) as refused:
        plan_replacement(order, REQUEST)

    assert str(refused.value) == (
        "line IPOD2008RED: its product is sold by subscription only (it requires a selling plan), and Shopify "
        "draft orders cannot hold subscription lines: replace it by hand")


def test_a_product_that_may_be_bought_without_a_plan_is_replaced():
    order = graphql_order()
    order["lineItems"]["nodes"][1]["variant"]["product"] = {"requiresSellingPlan": False}
    assert [line.sku for line in plan_replacement(order, REQUEST).lines] == ["IPOD2008RED"]


NO_ADDRESS = ("order #1001 has no shipping address to send the replacement to (or the app cannot read it: grant "
              "it protected customer data access to addresses); give one with the request")


def test_shippable_lines_without_a_shipping_address_fail_never_an_order_without_one():
    with pytest.raises(PlanError) as refused:
        plan_replacement(graphql_order(shippingAddress=None), REQUEST)
    assert str(refused.value) == NO_ADDRESS
    with pytest.raises(PlanError, match="no shipping address"):
        plan_replacement(graphql_order(shippingAddress=None), {**REQUEST, "shipping": "none"})


def test_an_address_given_with_the_request_or_lines_that_ship_nothing_need_none():
    address = {"address1": "1 New Road", "city": "Austin", "countryCode": "US", "zip": "78701"}
    plan = plan_replacement(graphql_order(shippingAddress=None), {**REQUEST, "shipping_address": address})
    assert plan.draft_input["shippingAddress"] == address

    order = graphql_order(shippingAddress=None)
    order["lineItems"]["nodes"][1]["requiresShipping"] = False
    digital = plan_replacement(order, {**REQUEST, "lines": [{"sku": "IPOD2008RED"}]})
    assert "shippingAddress" not in digital.draft_input


@pytest.mark.parametrize("name, tag_value", [
    ("#1001", "1001"), ("EN1001", "en1001"), ("1001-A", "1001-a"), ("#EU 1001/b", "eu-1001-b")])
def test_free_form_names_make_tags_and_search_values_without_escaping(name, tag_value):
    assert order_number({"name": name}) == tag_value


def test_a_prefixed_name_is_kept_as_written_in_the_note_and_the_attribute():
    draft = plan_replacement(graphql_order(name="EN1001"), REQUEST).draft_input

    assert draft["tags"] == ["replacement", "replacement-for-en1001"]
    assert draft["note"] == "Replacement for EN1001: arrived broken (via admin tag)"
    assert {"key": "Replacement for", "value": "EN1001"} in draft["customAttributes"]
