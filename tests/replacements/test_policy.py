"""The replacement policy as a pure function: each rule just below and just above its threshold."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from replacements.planner import plan_replacement
from replacements.policy import Facts, OutOfStock, Review, review
from tests.conftest import make_settings
from tests.payloads import graphql_order

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
RED = "gid://shopify/ProductVariant/49148385"
REQUEST = {"request_id": "api-1", "source": "api", "source_label": "API"}


def plan_at(price: str, quantity: int = 1):
    order = graphql_order()
    line = order["lineItems"]["nodes"][1]
    line.update(currentQuantity=quantity, originalUnitPriceSet={"shopMoney": {"amount": price}})
    return plan_replacement(order, REQUEST)


def test_nothing_configured_completes():
    assert review(make_settings(), plan_at("199.00"), NOW, Facts()) == Review()


def test_draft_mode_holds_with_a_reservation():
    verdict = review(make_settings(REPLACEMENT_MODE="draft", RESERVE_HOURS="24"), plan_at("199.00"), NOW, Facts())
    assert verdict == Review(hold=True, tags=("replacement-pending-approval",), reasons=("REPLACEMENT_MODE is draft",),
                             reserve_until="2026-11-27T10:00:00Z")


@pytest.mark.parametrize("price, quantity, held", [("150.00", 1, False), ("150.01", 1, True), ("75.00", 2, False),
                                                   ("75.01", 2, True)])
def test_max_value_is_the_retail_value_of_the_replaced_lines(price, quantity, held):
    settings = make_settings(REPLACEMENT_MAX_VALUE="150.00")
    plan = plan_at(price, quantity)

    verdict = review(settings, plan, NOW, Facts())

    assert verdict.hold is held
    if held:
        assert verdict.tags == ("replacement-review",)
        assert verdict.reasons == (f"retail value {plan.retail_value} USD is above REPLACEMENT_MAX_VALUE 150.00",)
        assert verdict.reserve_until == "2026-11-29T10:00:00Z"


@pytest.mark.parametrize("earlier, held", [(None, False), (0, False), (1, False), (2, True), (5, True)])
def test_limit_per_customer_counts_earlier_replacements(earlier, held):
    settings = make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="2", REPLACEMENT_LIMIT_DAYS="30")

    verdict = review(settings, plan_at("199.00"), NOW, Facts(earlier_replacements=earlier))

    assert verdict.hold is held
    if held:
        assert verdict.tags == ("replacement-review",)
        assert verdict.reasons == (
            f"the customer had {earlier} replacement(s) in 30 days; REPLACEMENT_LIMIT_PER_CUSTOMER is 2",)


def test_a_limit_of_zero_reviews_every_replacement():
    settings = make_settings(REPLACEMENT_LIMIT_PER_CUSTOMER="0")
    assert review(settings, plan_at("1.00"), NOW, Facts(earlier_replacements=0)).hold


@pytest.mark.parametrize("available", [None, 2, 3])
def test_enough_stock_or_untracked_completes(available):
    assert review(make_settings(), plan_at("199.00", 2), NOW, Facts(available={RED: available})) == Review()


def test_short_stock_fails_by_default():
    with pytest.raises(OutOfStock, match=r"^out of stock: SKU IPOD2008RED \(needs 2, 1 available\)$"):
        review(make_settings(), plan_at("199.00", 2), NOW, Facts(available={RED: 1}))


def test_short_stock_with_out_of_stock_draft_is_a_backorder_without_reservation():
    verdict = review(make_settings(OUT_OF_STOCK="draft"), plan_at("199.00"), NOW, Facts(available={RED: -3}))
    assert verdict == Review(hold=True, tags=("replacement-backorder",),
                             reasons=("out of stock: SKU IPOD2008RED (needs 1, 0 available)",), reserve_until=None)


def test_every_reason_is_kept_and_each_tag_once():
    settings = make_settings(REPLACEMENT_MODE="draft", REPLACEMENT_MAX_VALUE="10", REPLACEMENT_LIMIT_PER_CUSTOMER="1")
    verdict = review(settings, plan_at("199.00"), NOW, Facts(earlier_replacements=1))
    assert verdict.tags == ("replacement-pending-approval", "replacement-review")
    assert len(verdict.reasons) == 3
    assert plan_at("199.00").retail_value == Decimal("199.00")
