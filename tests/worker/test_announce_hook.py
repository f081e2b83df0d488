"""The state machine announces each outcome once, as it writes it: completed or held after the
done entry, failed after the failed entry (both before the final status, so a task that dies in
between announces again, and the marks keep it to one), cancelled when a held draft is deleted."""

from __future__ import annotations

import fakeredis
import pytest

from core.store import State
from shopify import documents as docs
from tests.conftest import make_settings
from tests.payloads import SHOP, graphql_order
from tests.worker.scripted_shopify import ScriptedShopify
from tests.worker.test_state_machine import ORDER_ID, RED, REQUEST_ID, draft, script
from worker.state_machine import Replacer


class Spy:
    def __init__(self, state: State):
        self.state = state
        self.calls = []

    def __call__(self, request_id: str, outcome: str) -> None:
        record = self.state.get(request_id)
        last = self.state.journal_entries(request_id)[-1]["event"]
        self.calls.append((request_id, outcome, record["status"], last))


def run(shopify: ScriptedShopify, **settings) -> tuple[State, Spy, Replacer]:
    state = State(fakeredis.FakeRedis())
    state.create_request({"request_id": REQUEST_ID, "shop": SHOP, "source": "api", "source_label": "api",
                          "order": ORDER_ID})
    spy = Spy(state)
    config = make_settings(**settings)
    replacer = Replacer(config, config.default_shop, shopify, state, sleep=lambda _: None, announce=spy)
    replacer.process(REQUEST_ID)
    return state, spy, replacer


def test_a_completed_replacement_is_announced_after_its_journal_entry_before_its_final_status():
    state, spy, replacer = run(ScriptedShopify(script()))
    assert spy.calls == [(REQUEST_ID, "completed", "completed", "done")]
    assert state.get(REQUEST_ID)["status"] == "done"
    replacer.process(REQUEST_ID)  # the task again: the request is final, nothing is announced
    assert len(spy.calls) == 1


def test_a_held_replacement_is_announced_held():
    _, spy, _ = run(ScriptedShopify(script()), REPLACEMENT_MODE="draft")
    assert spy.calls == [(REQUEST_ID, "held", "draft_created", "done")]


def test_a_failed_request_is_announced_failed():
    out_of_stock = {"nodes": [{"id": RED, "sellableOnlineQuantity": 0, "inventoryItem": {"tracked": True}}]}
    state, spy, _ = run(ScriptedShopify(script(**{docs.VARIANT_STOCK: out_of_stock})))
    assert spy.calls == [(REQUEST_ID, "failed", "failing", "failed")]
    assert state.get(REQUEST_ID)["status"] == "failed"


def test_a_held_draft_deleted_with_its_cancelled_original_is_announced_cancelled():
    state, spy, replacer = run(ScriptedShopify(script()), REPLACEMENT_MODE="draft")
    replacer.client = ScriptedShopify(script(**{
        docs.ORDER_FOR_REPLACEMENT: {"order": graphql_order(cancelledAt="2026-12-04T10:00:00Z")},
        docs.FIND_REPLACEMENT_DRAFTS: {"draftOrders": {"nodes": [draft(1)]}}}))

    assert replacer.handle_cancelled(ORDER_ID) == [REQUEST_ID]

    assert spy.calls[-1] == (REQUEST_ID, "cancelled", "cancelled", "draft_deleted")
    assert len(spy.calls) == 2


@pytest.mark.parametrize("settings", [{}, {"REPLACEMENT_MODE": "draft"}])
def test_without_an_announcer_nothing_changes(settings):
    state = State(fakeredis.FakeRedis())
    state.create_request({"request_id": REQUEST_ID, "shop": SHOP, "source": "api", "source_label": "api",
                          "order": ORDER_ID})
    config = make_settings(**settings)
    replacer = Replacer(config, config.default_shop, ScriptedShopify(script()), state, sleep=lambda _: None)
    assert replacer.process(REQUEST_ID) == "done"
