"""The state machine's answers to what real Shopify does: a draftOrderCreate whose answer was
lost is looked for 30 s before a second create, two drafts of one request become one (the spare
deleted and counted), a store whose plan cannot create orders fails clearly, and what the plan
refuses (a subscription line) fails before any draft is made."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import fakeredis
import pytest

from core import keys
from core.metrics import Metrics, render
from core.store import State
from shopify import documents as docs
from shopify.errors import BudgetShort, RetryableShopifyError
from tests.conftest import make_settings
from tests.payloads import SHOP, graphql_order
from tests.worker.scripted_shopify import ScriptedShopify
from worker import circuit_breaker
from worker.state_machine import PLAN_REFUSAL, SEARCH_GRACE_SECONDS, Replacer

REQUEST_ID = "api-1"
ORDER_ID = "gid://shopify/Order/450789469"
RED = "gid://shopify/ProductVariant/49148385"


def draft(number: int, completed: bool = False, request_id: str = REQUEST_ID, days_ago: float = 0) -> dict:
    created = datetime.now(UTC) - timedelta(days=days_ago)
    return {"id": f"gid://shopify/DraftOrder/{number}", "name": f"#D{number}", "status": "OPEN", "ready": True,
            "createdAt": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "customAttributes": [{"key": "Replacement request", "value": request_id}],
            "order": {"id": "gid://shopify/Order/9", "name": "#1002"} if completed else None}


def completed(number: int) -> dict:
    return {"draftOrderComplete": {"draftOrder": {"id": f"gid://shopify/DraftOrder/{number}", "status": "COMPLETED",
                                                  "order": {"id": "gid://shopify/Order/9", "name": "#1002"}},
                                   "userErrors": []}}


def script(**changes) -> dict:
    """Shopify for order #1001, with one RED unit in stock and every write accepted."""
    answers = {
        docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order()},
        docs.VARIANT_STOCK: {"nodes": [{"id": RED, "sellableOnlineQuantity": 5, "inventoryItem": {"tracked": True}}]},
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": []}},
        docs.DRAFT_ORDER_CREATE: {"draftOrderCreate": {"draftOrder": draft(1), "userErrors": []}},
        docs.DRAFT_ORDER_STATE: {"draftOrder": draft(1)},
        docs.DRAFT_ORDER_COMPLETE: completed(1),
        docs.DRAFT_ORDER_DELETE: {"draftOrderDelete": {"deletedId": "x", "userErrors": []}},
        docs.TAGS_REMOVE: {"tagsRemove": {"userErrors": []}},
        docs.TAGS_ADD: {"tagsAdd": {"node": {"updatedAt": "2026-12-04T10:00:00Z"}, "userErrors": []}},
    }
    return {**answers, **changes}


class Service:
    """A Replacer on a fake Redis, for one API request about #1001."""

    def __init__(self, **settings):
        self.redis = fakeredis.FakeRedis()
        self.state = State(self.redis)
        self.settings = make_settings(**settings)
        self.state.create_request({"request_id": REQUEST_ID, "shop": SHOP, "source": "api", "source_label": "api",
                                   "order": ORDER_ID})

    def process(self, shopify: ScriptedShopify) -> str:
        replacer = Replacer(self.settings, self.settings.default_shop, shopify, self.state, sleep=lambda _: None,
                            metrics=Metrics(self.redis))
        return replacer.process(REQUEST_ID)

    def record(self) -> dict:
        return self.state.get(REQUEST_ID)

    def events(self) -> list[str]:
        return [entry["event"] for entry in self.state.journal_entries(REQUEST_ID)]

    def duplicates_counted(self) -> str:
        return next(line for line in render(self.redis).decode().splitlines()
                    if line.startswith("replacement_duplicate_drafts_deleted_total{"))


@pytest.fixture
def service() -> Service:
    return Service()


def test_every_draft_refuses_automatic_discounts(service):
    shopify = ScriptedShopify(script())

    assert service.process(shopify) == "done"

    [(_, variables)] = [sent for sent in shopify.sent if sent[0] == docs.DRAFT_ORDER_CREATE]
    assert variables["input"]["acceptAutomaticDiscounts"] is False


@pytest.mark.parametrize("tags, removals", [(["vip"], 0), (["vip", "replacement-failed"], 1),
                                            (["needs-replacement"], 1)])
def test_the_original_loses_tags_only_when_it_carries_one_to_lose(service, tags, removals):
    """An API or helpdesk request leaves no trigger tag to take off: the removal's 10 points are saved."""
    shopify = ScriptedShopify(script(**{docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order(tags=tags)}}))

    assert service.process(shopify) == "done"

    assert (shopify.count(docs.TAGS_REMOVE), shopify.count(docs.TAGS_ADD)) == (removals, 1)


@pytest.mark.parametrize("seconds_ago, creates", [(SEARCH_GRACE_SECONDS - 10, 0), (SEARCH_GRACE_SECONDS + 1, 1)])
def test_a_lost_create_is_looked_for_thirty_seconds_before_a_second_create(service, seconds_ago, creates):
    assert SEARCH_GRACE_SECONDS == 30.0
    service.state.update(REQUEST_ID, status="creating", create_attempted_at=time.time() - seconds_ago, creates=1)
    shopify = ScriptedShopify(script())

    if creates:
        assert service.process(shopify) == "done"
        assert service.record()["creates"] == "2"
    else:
        with pytest.raises(RetryableShopifyError, match="earlier draft create is not searchable yet"):
            service.process(shopify)
    assert shopify.count(docs.FIND_REPLACEMENT_DRAFTS) == 1
    assert shopify.count(docs.DRAFT_ORDER_CREATE) == creates


def test_a_create_the_budget_sent_back_unsent_is_no_earlier_create_to_look_for(service):
    shopify = ScriptedShopify(script(**{docs.DRAFT_ORDER_CREATE: [
        BudgetShort("DraftOrderCreate: short", shop=SHOP, retry_in=1.0),
        {"draftOrderCreate": {"draftOrder": draft(1), "userErrors": []}}]}))

    with pytest.raises(BudgetShort):
        service.process(shopify)
    assert service.record()["status"] == "received"
    assert service.process(shopify) == "done"

    assert shopify.count(docs.FIND_REPLACEMENT_DRAFTS) == 0
    assert shopify.count(docs.DRAFT_ORDER_CREATE) == 2
    assert service.record()["creates"] == "1"


def test_two_drafts_of_one_request_found_by_the_search_keep_the_first_and_delete_the_spare(service):
    service.state.update(REQUEST_ID, status="creating", create_attempted_at=time.time(), creates=2)
    other_request = draft(5, request_id="api-2")
    shopify = ScriptedShopify(script(**{
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft(3), other_request, draft(1)]}}}))

    assert service.process(shopify) == "done"

    assert [variables for document, variables in shopify.sent if document == docs.DRAFT_ORDER_DELETE] == [
        {"input": {"id": "gid://shopify/DraftOrder/3"}}]
    assert shopify.count(docs.DRAFT_ORDER_CREATE) == 0
    assert service.record()["draft_id"] == "gid://shopify/DraftOrder/1"
    assert [variables for document, variables in shopify.sent if document == docs.DRAFT_ORDER_COMPLETE] == [
        {"id": "gid://shopify/DraftOrder/1"}]
    assert service.duplicates_counted() == f'replacement_duplicate_drafts_deleted_total{{shop="{SHOP}"}} 1.0'
    assert "duplicate_draft_deleted" in service.events()


def test_a_completed_draft_is_the_one_kept(service):
    service.state.update(REQUEST_ID, status="creating", create_attempted_at=time.time(), creates=2)
    shopify = ScriptedShopify(script(**{
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft(1), draft(3, completed=True)]}}}))

    assert service.process(shopify) == "done"

    assert [variables for document, variables in shopify.sent if document == docs.DRAFT_ORDER_DELETE] == [
        {"input": {"id": "gid://shopify/DraftOrder/1"}}]
    assert shopify.count(docs.DRAFT_ORDER_COMPLETE) == 0
    assert service.state.journal_entries(REQUEST_ID)[-1]["detail"]["replacement"] == "#1002"


def test_a_draft_made_before_the_request_was_recorded_is_an_earlier_request_of_the_same_id(service):
    # RETENTION_DAYS erased the record of an earlier request with this id (an order's taggings
    # are counted from 1 again): its completed draft is not this request's replacement.
    service.state.update(REQUEST_ID, status="creating", create_attempted_at=time.time() - 60, creates=1)
    shopify = ScriptedShopify(script(**{
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft(7, completed=True, days_ago=91)]}}}))

    assert service.process(shopify) == "done"

    assert shopify.count(docs.DRAFT_ORDER_CREATE) == 1
    assert shopify.count(docs.DRAFT_ORDER_DELETE) == 0
    assert [variables for document, variables in shopify.sent if document == docs.DRAFT_ORDER_COMPLETE] == [
        {"id": "gid://shopify/DraftOrder/1"}]


def test_the_first_draft_showing_up_after_a_second_create_is_deleted_before_completion(service):
    service.state.update(REQUEST_ID, status="draft_created", draft_id="gid://shopify/DraftOrder/3", creates=2)
    shopify = ScriptedShopify(script(**{
        docs.DRAFT_ORDER_STATE: {"draftOrder": draft(3)},
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft(1), draft(3)]}},
        docs.DRAFT_ORDER_COMPLETE: completed(3)}))

    assert service.process(shopify) == "done"

    assert [variables for document, variables in shopify.sent if document == docs.DRAFT_ORDER_DELETE] == [
        {"input": {"id": "gid://shopify/DraftOrder/1"}}]
    assert shopify.sent.index((docs.DRAFT_ORDER_DELETE, {"input": {"id": "gid://shopify/DraftOrder/1"}})) < \
        shopify.sent.index((docs.DRAFT_ORDER_COMPLETE, {"id": "gid://shopify/DraftOrder/3"}))


def test_a_request_created_once_never_searches_for_spares(service):
    shopify = ScriptedShopify(script())
    assert service.process(shopify) == "done"
    assert shopify.count(docs.FIND_REPLACEMENT_DRAFTS) == 0


def test_a_store_whose_plan_cannot_create_orders_fails_saying_so(service):
    refused = {"draftOrderComplete": {"draftOrder": None, "userErrors": [{"field": None, "message": PLAN_REFUSAL}]}}
    shopify = ScriptedShopify(script(**{docs.DRAFT_ORDER_COMPLETE: refused}))

    assert service.process(shopify) == "failed"

    assert service.record()["reason"] == (
        f"shop {SHOP} cannot complete orders on its plan (a development or trial store: Shopify answered "
        f"\"Change your plan to allow customers to checkout and to create orders.\"); set REPLACEMENT_MODE=draft "
        f"to leave replacements as drafts for a person, or change the shop's plan. Draft #D1 stays open")
    assert [variables["tags"] for document, variables in shopify.sent if document == docs.TAGS_ADD] == [
        ["replacement-failed"]]


def test_other_completion_refusals_keep_shopifys_words(service):
    refused = {"draftOrderComplete": {"draftOrder": None, "userErrors": [
        {"field": ["id"], "message": "Draft order does not exist"}]}}
    assert service.process(ScriptedShopify(script(**{docs.DRAFT_ORDER_COMPLETE: refused}))) == "failed"
    assert service.record()["reason"] == "draftOrderComplete refused: id: Draft order does not exist"


def test_a_subscription_line_fails_naming_it_before_any_draft_is_made(service):
    order = graphql_order()
    order["lineItems"]["nodes"][1]["variant"]["product"] = {"requiresSellingPlan": True}
    shopify = ScriptedShopify(script(**{docs.ORDER_FOR_REPLACEMENT: {"order": order}}))

    assert service.process(shopify) == "failed"

    assert service.record()["reason"].startswith("line IPOD2008RED: its product is sold by subscription only")
    assert shopify.count(docs.DRAFT_ORDER_CREATE) == 0


def test_beyond_the_circuit_breaker_the_replacement_is_held_for_review_saying_why():
    service = Service(REPLACEMENT_MAX_PER_HOUR="1")
    circuit_breaker.admit(service.redis, service.settings, SHOP, "api-earlier", Decimal("1.00"), "USD")
    shopify = ScriptedShopify(script())

    assert service.process(shopify) == "done"

    reason = "circuit breaker: 1 replacements in the last hour; REPLACEMENT_MAX_PER_HOUR is 1"
    assert (service.record()["hold"], service.record()["held_because"]) == ("1", reason)
    assert shopify.count(docs.DRAFT_ORDER_COMPLETE) == 0
    [draft_input] = [variables["input"] for document, variables in shopify.sent if document == docs.DRAFT_ORDER_CREATE]
    assert "replacement-review" in draft_input["tags"]
    assert draft_input["note"].endswith(f". Held: {reason}")
    [creating] = [e for e in service.state.journal_entries(REQUEST_ID) if e["event"] == "creating"]
    assert creating["detail"]["held_because"] == [reason]
    assert ('replacement_circuit_breaker_holds_total{limit="max_per_hour",shop="' + SHOP + '"} 1.0'
            in render(service.redis).decode())


def test_a_replacement_policy_holds_anyway_is_not_counted_by_the_circuit_breaker():
    service = Service(REPLACEMENT_MAX_PER_HOUR="1", REPLACEMENT_MODE="draft")

    assert service.process(ScriptedShopify(script())) == "done"

    assert service.record()["held_because"] == "REPLACEMENT_MODE is draft"
    assert service.redis.zcard(keys.breaker_window(SHOP)) == 0
