"""The recipe's pure decisions: reason codes from tags, presets, and what is sent about the original."""

import json
from datetime import UTC, datetime

import pytest

from core.settings import ConfigError
from ops.doctor import shop_checks
from replacements.planner import plan_replacement
from replacements.policy import Facts, review
from replacements.presets import Preset
from replacements.recipe import (
    cancel_refusal,
    cancel_variables,
    idempotency_key,
    reason_from_trigger,
    shipping_refund,
    with_recipe,
)
from replacements.triggers import Trigger, find_trigger, triggers
from shopify.errors import PermanentShopifyError
from tests.conftest import make_settings
from tests.payloads import SHOP, graphql_order
from web.helpdesks.base import ticket_outcome
from web.helpdesks.ticket import Ticket

ORDER = "gid://shopify/Order/450789469"
REQUEST = {"request_id": "admin-450789469-1", "source": "admin_tag", "source_label": "admin tag"}


# reason codes in tags ----------------------------------------------------------------------

@pytest.mark.parametrize("tag, code", [
    ("needs-replacement", None),
    ("Needs-Replacement", None),
    ("needs-replacement-damaged", "damaged"),
    ("needs-replacement:lost", "lost"),
    ("needs-replacement-wrong-item", "wrong-item"),
    ("NEEDS-REPLACEMENT:Wrong-Item", "wrong-item"),
])
def test_every_form_of_the_trigger_tag_triggers(tag, code):
    assert find_trigger(f"VIP, {tag}, gift", "needs-replacement") == Trigger(tag, code)


@pytest.mark.parametrize("tags", ["needs-replacements", "needs-replacement-", "needs-replacement:", "replacement",
                                  "replacement-issued", "x-needs-replacement", ""])
def test_other_tags_do_not_trigger(tags):
    assert find_trigger(tags, "needs-replacement") is None


def test_a_coded_tag_wins_and_every_form_is_found_for_removal():
    tags = ["needs-replacement", "needs-replacement-lost", "needs-replacement:damaged"]
    assert find_trigger(tags, "needs-replacement") == Trigger("needs-replacement-lost", "lost")
    assert [t.tag for t in triggers(tags, "needs-replacement")] == tags


def test_reason_from_the_tag():
    reasons = make_settings().reasons
    assert reason_from_trigger(Trigger("needs-replacement", None), reasons) == {}
    assert reason_from_trigger(Trigger("needs-replacement-lost", "lost"), reasons) == {
        "reason": "lost", "reason_code": "lost"}
    assert reason_from_trigger(Trigger("needs-replacement-broken-screen", "broken-screen"), reasons) == {
        "reason": "other (broken-screen)", "reason_code": "other"}


def test_reason_code_goes_to_the_note_and_the_attribute():
    request = with_recipe({**REQUEST, "reason": "other (broken-screen)", "reason_code": "other"}, make_settings())
    draft = plan_replacement(graphql_order(), request).draft_input

    assert draft["note"] == "Replacement for #1001: other (broken-screen) (via admin tag)"
    assert {"key": "Replacement reason", "value": "other"} in draft["customAttributes"]


def test_a_helpdesk_reason_that_is_a_code_gets_the_code_and_free_text_stays_as_it_is():
    settings = make_settings()
    assert with_recipe({**REQUEST, "reason": "Lost"}, settings)["reason_code"] == "lost"
    assert "reason_code" not in with_recipe({**REQUEST, "reason": "arrived broken"}, settings)


def test_a_ticket_tagged_replace_return_triggers_and_asks_for_the_return():
    returning = ticket_outcome("gorgias", Ticket(id="7", tags="vip, replace-return", order="#1001"), "replace", SHOP)
    plain = ticket_outcome("gorgias", Ticket(id="8", tags="replace", order="#1001"), "replace", SHOP)

    assert (returning.event["return"], "return" in plain.event) == (True, False)


# shipping and presets -------------------------------------------------------------------

def test_shipping_zero_original_and_none():
    zero = plan_replacement(graphql_order(), with_recipe(REQUEST, make_settings())).draft_input
    original = plan_replacement(graphql_order(),
                                with_recipe(REQUEST, make_settings(REPLACEMENT_SHIPPING="original"))).draft_input
    none = plan_replacement(graphql_order(), with_recipe(REQUEST, make_settings(REPLACEMENT_SHIPPING="none")))

    assert zero["shippingLine"] == {"title": "Replacement shipping",
                                    "priceWithCurrency": {"amount": "0.00", "currencyCode": "USD"}}
    assert original["shippingLine"] == {"title": "Free Shipping",
                                        "priceWithCurrency": {"amount": "0.00", "currencyCode": "USD"}}
    assert "shippingLine" not in none.draft_input


def test_an_original_without_shipping_gets_the_contract_title():
    settings = make_settings(REPLACEMENT_SHIPPING="original")
    draft = plan_replacement(graphql_order(shippingLine=None), with_recipe(REQUEST, settings)).draft_input
    assert draft["shippingLine"]["title"] == "Replacement shipping"


def test_a_preset_sets_shipping_tags_approval_and_return():
    settings = make_settings().with_overrides(presets={
        "lost": Preset(shipping_title="Express", tags=("lost-parcel",), approval="draft", restock_return=True)})
    request = with_recipe({**REQUEST, "reason": "lost", "reason_code": "lost"}, settings)
    plan = plan_replacement(graphql_order(), request)

    assert (request["return"], plan.approval) == (True, "draft")
    assert plan.draft_input["shippingLine"]["title"] == "Express"
    assert plan.draft_input["tags"] == ["replacement", "replacement-for-1001", "lost-parcel"]


def test_a_refund_that_asks_for_a_replacement_is_not_restocked_again_by_a_preset():
    settings = make_settings().with_overrides(presets={"wrong-item": Preset(restock_return=True)})
    assert "return" not in with_recipe({**REQUEST, "source": "refund", "reason": "wrong-item"}, settings)


def test_a_presets_approval_overrides_replacement_mode_both_ways():
    now = datetime(2026, 11, 26, tzinfo=UTC)
    held = plan_replacement(graphql_order(), {**REQUEST, "approval": "draft"})
    completed = plan_replacement(graphql_order(), {**REQUEST, "approval": "complete"})

    assert review(make_settings(), held, now, Facts()).reasons == ("the reason's preset asks for approval",)
    assert review(make_settings(REPLACEMENT_MODE="draft"), completed, now, Facts()).hold is False


def test_presets_file_is_read_and_checked(tmp_path):
    path = tmp_path / "presets.json"
    path.write_text(json.dumps({"lost": {"shipping_title": "Express", "tags": ["lost-parcel"]},
                                "wrong-item": {"return": True}, "damaged": {"shipping": "none", "approval": "draft"}}))

    presets = make_settings(PRESETS_FILE=str(path)).presets

    assert presets == {"lost": Preset(shipping_title="Express", tags=("lost-parcel",)),
                       "wrong-item": Preset(restock_return=True),
                       "damaged": Preset(shipping="none", approval="draft")}


@pytest.mark.parametrize("content, message", [
    ({"stolen": {}}, "'stolen' is not one of REASONS (damaged, defective, lost, missing-item, wrong-item, other)"),
    ({"lost": {"ship": "zero"}}, "lost: unknown keys ship (known: shipping, shipping_title, tags, approval, return)"),
    ({"lost": {"shipping": "express"}}, "lost.shipping must be one of zero, original, none (got 'express')"),
    ({"lost": {"approval": "later"}}, "lost.approval must be one of complete, draft (got 'later')"),
    ({"lost": {"tags": "a,b"}}, "lost.tags must be a list of tags of 1 to 40 characters without commas"),
    ({"lost": {"return": "yes"}}, "lost.return must be true or false"),
    (["lost"], "must hold a JSON object of reason code -> preset"),
])
def test_a_bad_presets_file_names_the_place(tmp_path, content, message):
    path = tmp_path / "presets.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ConfigError) as error:
        make_settings(PRESETS_FILE=str(path))
    assert str(error.value) == f"PRESETS_FILE {str(path)!r} {message}"


def test_recipe_settings_defaults_are_safe():
    settings = make_settings()
    assert (settings.replacement_shipping, settings.refund_original_shipping, settings.cancel_original,
            settings.cancel_original_refund, settings.restock_location_id, settings.presets) == (
        "zero", False, False, False, None, {})
    assert settings.reasons == ("damaged", "defective", "lost", "missing-item", "wrong-item", "other")


def test_recipe_settings_are_cast():
    settings = make_settings(REASONS="Lost, late", REFUND_ORIGINAL_SHIPPING="true", CANCEL_ORIGINAL="TRUE",
                             RESTOCK_LOCATION_ID="2")
    assert settings.reasons == ("lost", "late", "other")
    assert (settings.refund_original_shipping, settings.cancel_original) == (True, True)
    assert settings.restock_location_id == "gid://shopify/Location/2"


@pytest.mark.parametrize("overrides, message", [
    ({"REPLACEMENT_SHIPPING": "express"}, "REPLACEMENT_SHIPPING must be one of zero, original, none (got 'express')"),
    ({"REFUND_ORIGINAL_SHIPPING": "yes"}, "REFUND_ORIGINAL_SHIPPING must be true or false (got 'yes')"),
    ({"CANCEL_ORIGINAL": "1"}, "CANCEL_ORIGINAL must be true or false (got '1')"),
    ({"RESTOCK_LOCATION_ID": "main"},
     "RESTOCK_LOCATION_ID must be a location id like 123 or gid://shopify/Location/123 (got 'main')"),
    ({"REASONS": "lost, wrong item"},
     "REASONS must be comma-separated codes of lowercase letters, digits, '-' or '_' (got 'lost, wrong item')"),
    ({"PRESETS_FILE": "/nonexistent/presets.json"}, "PRESETS_FILE '/nonexistent/presets.json' cannot be read as JSON"),
])
def test_bad_recipe_settings_name_themselves(overrides, message):
    with pytest.raises(ConfigError) as error:
        make_settings(**overrides)
    assert str(error.value).startswith(message)


# what is sent about the original -----------------------------------------------------------

def original(**changes) -> dict:
    """Order #1001 as documents.ORIGINAL_FOR_RECIPE reads it, with 12.50 paid for shipping."""
    order = {
        "id": ORDER, "name": "#1001", "cancelledAt": None, "displayFulfillmentStatus": "UNFULFILLED",
        "totalShippingPriceSet": {"presentmentMoney": {"amount": "12.5", "currencyCode": "USD"}},
        "totalRefundedShippingSet": {"presentmentMoney": {"amount": "0.0"}},
        "transactions": [{"id": "gid://shopify/OrderTransaction/1", "kind": "AUTHORIZATION", "status": "SUCCESS",
                          "gateway": "bogus"},
                         {"id": "gid://shopify/OrderTransaction/2", "kind": "SALE", "status": "SUCCESS",
                          "gateway": "bogus"}],
    }
    order.update(changes)
    return order


def test_shipping_refund_refunds_what_was_paid_to_the_sale():
    refund = shipping_refund(original(), "admin-450789469-1")

    assert refund.input == {
        "orderId": ORDER, "currency": "USD", "note": "Shipping refunded with request admin-450789469-1",
        "shipping": {"amount": "12.50"},
        "transactions": [{"orderId": ORDER, "parentId": "gid://shopify/OrderTransaction/2", "gateway": "bogus",
                          "kind": "REFUND", "amount": "12.50"}],
    }
    assert refund.summary == "12.50 USD to bogus"


def test_shipping_already_refunded_or_never_paid_is_not_refunded():
    refunded = original(totalRefundedShippingSet={"presentmentMoney": {"amount": "12.5"}})
    assert shipping_refund(refunded, "r").input is None
    assert shipping_refund(original(transactions=[]), "r").summary == "no successful payment to refund the shipping to"
    free = original(totalShippingPriceSet={"presentmentMoney": {"amount": "0.0", "currencyCode": "USD"}})
    assert shipping_refund(free, "r").summary == "nothing paid for shipping is left to refund"


def test_the_key_is_derived_from_the_request_id():
    assert idempotency_key("admin-450789469-1", "shipping-refund") == "replacement:admin-450789469-1:shipping-refund"


def test_cancel_only_what_never_left():
    assert cancel_refusal(original()) is None
    assert cancel_refusal(original(cancelledAt="2026-11-26T10:00:00Z", displayFulfillmentStatus="FULFILLED")) is None
    assert cancel_refusal(original(displayFulfillmentStatus="FULFILLED")) == (
        "order #1001 cannot be cancelled: it is fulfilled (CANCEL_ORIGINAL applies to unfulfilled orders only)")
    assert "partially fulfilled" in cancel_refusal(original(displayFulfillmentStatus="PARTIALLY_FULFILLED"))


def test_cancel_restocks_names_the_replacement_and_refunds_only_when_configured():
    draft = {"id": "gid://shopify/DraftOrder/7", "name": "#D1"}
    assert cancel_variables(original(), draft, "admin-450789469-1", refund=False) == {
        "orderId": ORDER, "restock": True, "reason": "OTHER",
        "staffNote": "Replaced by draft order #D1 (replacement request admin-450789469-1)"}
    assert cancel_variables(original(), draft, "r", refund=True)["refundMethod"] == {
        "originalPaymentMethodsRefund": True}


# the doctor checks where returns go --------------------------------------------------------

class ShopAnswering:
    """A Shopify client that knows the scopes and one location."""

    def __init__(self, location: dict | None):
        self.location = location

    def query(self, document: str, variables: dict | None = None) -> dict:
        if "RestockLocation" in document:
            if self.location == "denied":
                raise PermanentShopifyError("RestockLocation: Access denied for location field.", 200)
            return {"location": self.location}
        if "AccessScopes" in document:
            return {"shop": {"name": "Example Store"}, "currentAppInstallation": {"accessScopes": [
                {"handle": h} for h in ("write_draft_orders", "write_orders", "read_products", "read_inventory")]}}
        if "RecentShippingAddresses" in document:
            return {"orders": {"nodes": []}}
        return {"webhookSubscriptions": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}


@pytest.mark.parametrize("location, line", [
    ({"name": "Returns desk", "isActive": True},
     "ok   example.myshopify.com RESTOCK_LOCATION_ID: returns are restocked at Returns desk"),
    ({"name": "Old shed", "isActive": False},
     "FAIL example.myshopify.com RESTOCK_LOCATION_ID: Old shed is deactivated: returns cannot be restocked there "
     "-> fix: activate the location, or set RESTOCK_LOCATION_ID to an active one"),
    (None, "FAIL example.myshopify.com RESTOCK_LOCATION_ID: gid://shopify/Location/9 is not a location of this "
           "shop: returns cannot be restocked -> fix: set RESTOCK_LOCATION_ID to the id in the address of the "
           "location's page (Settings > Locations), or unset it to let Shopify choose"),
    ("denied", "warn example.myshopify.com RESTOCK_LOCATION_ID: cannot read gid://shopify/Location/9: "
               "RestockLocation: Access denied for location field. -> fix: grant read_locations to let the doctor "
               "check it, or make sure by hand that it is an active location of this shop"),
])
def test_the_doctor_checks_the_restock_location(location, line):
    settings = make_settings(RESTOCK_LOCATION_ID="9")
    checks = shop_checks(settings, settings.default_shop, ShopAnswering(location))
    assert [c.line() for c in checks if "RESTOCK_LOCATION_ID" in c.name] == [line]


def test_the_doctor_does_not_look_for_a_location_nobody_set():
    settings = make_settings()
    assert not any("RESTOCK" in c.name for c in shop_checks(settings, settings.default_shop, ShopAnswering(None)))
