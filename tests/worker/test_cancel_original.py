"""CANCEL_ORIGINAL against an asynchronous orderCancel: the replacement waits for the cancel job,
reads the original again, and is completed only for an original that is really cancelled. One
orderCancel per request, whether the job outlives a task run or the answer is lost."""

import time

import fakeredis
import pytest

from core.errors import PermanentFailure
from core.store import State
from shopify import documents as docs
from shopify.errors import RetryableShopifyError
from tests.conftest import make_settings
from tests.worker.scripted_shopify import ScriptedShopify
from worker.recipe_steps import CANCEL_GRACE_SECONDS, JOB_WAIT_SECONDS, RecipeSteps

REQUEST_ID = "api-1"
ORDER = {"id": "gid://shopify/Order/450789469", "name": "#1001"}
DRAFT = {"id": "gid://shopify/DraftOrder/7", "name": "#D1"}
JOB = "gid://shopify/Job/6d2b7c0e"
NOT_CANCELLED_REASON = ("order #1001 was not cancelled: Shopify's cancel job finished without cancelling it, so the "
                        "replacement was not completed (two parcels would go out); draft #D1 stays open for a person")


def original(cancelled: bool = False) -> dict:
    return {"order": {**ORDER, "cancelledAt": "2026-12-04T10:00:01Z" if cancelled else None,
                      "displayFulfillmentStatus": "UNFULFILLED"}}


def job(done: bool) -> dict:
    return {"job": {"id": JOB, "done": done}}


CANCEL_ANSWER = {"orderCancel": {**job(False), "userErrors": []}}


@pytest.fixture
def state() -> State:
    state = State(fakeredis.FakeRedis())
    state.create_request({"request_id": REQUEST_ID, "shop": "example.myshopify.com", "source": "api",
                          "source_label": "api", "order": "#1001"})
    return state


class Steps:
    """The recipe's steps with CANCEL_ORIGINAL on `state`; `run(shopify)` is one task run."""

    def __init__(self, state: State):
        self.state = state
        self.slept: list[float] = []

    def run(self, shopify: ScriptedShopify) -> None:
        steps = RecipeSteps(make_settings(CANCEL_ORIGINAL="true"), shopify, self.state, sleep=self.slept.append)
        with self.state.lock(f"request:{REQUEST_ID}") as lock:
            steps.before_completion(REQUEST_ID, ORDER, DRAFT, lock)

    def events(self) -> list[str]:
        return [entry["event"] for entry in self.state.journal_entries(REQUEST_ID)]


@pytest.fixture
def steps(state) -> Steps:
    return Steps(state)


def test_the_replacement_waits_for_the_cancel_job_then_reads_the_original_again(steps):
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: [original(), original(cancelled=True)],
                               docs.ORDER_CANCEL: CANCEL_ANSWER, docs.JOB_STATUS: [job(False), job(True)]})

    steps.run(shopify)

    assert [document for document, _ in shopify.sent] == [
        docs.ORIGINAL_FOR_RECIPE, docs.ORDER_CANCEL, docs.JOB_STATUS, docs.JOB_STATUS, docs.ORIGINAL_FOR_RECIPE]
    assert shopify.sent[2][1] == {"id": JOB}
    assert steps.slept == [0.25]
    record = steps.state.get(REQUEST_ID)
    assert (record["cancel_job"], record["original_cancelled"]) == (JOB, "1")
    assert steps.events() == ["cancel_requested", "original_cancelled"]


def test_a_job_still_running_at_the_end_of_a_run_is_waited_on_by_the_next_run_never_cancelled_twice(steps):
    running = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original(), docs.ORDER_CANCEL: CANCEL_ANSWER,
                               docs.JOB_STATUS: job(False)})

    with pytest.raises(RetryableShopifyError, match=f"the cancel job of #1001 \\({JOB}\\) is not done yet"):
        steps.run(running)

    assert sum(steps.slept) <= JOB_WAIT_SECONDS and running.count(docs.JOB_STATUS) > 3
    assert "original_cancelled" not in steps.state.get(REQUEST_ID)
    done = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: [original(), original(cancelled=True)],
                            docs.JOB_STATUS: job(True)})

    steps.run(done)

    assert done.count(docs.ORDER_CANCEL) == 0
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"
    assert steps.events() == ["cancel_requested", "original_cancelled"]


def test_a_job_done_on_an_original_read_cancelled_at_the_start_of_the_run_is_not_asked_again(steps):
    steps.state.update(REQUEST_ID, cancel_job=JOB, cancel_sent_at=time.time())
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original(cancelled=True)})

    steps.run(shopify)

    assert [document for document, _ in shopify.sent] == [docs.ORIGINAL_FOR_RECIPE]
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"


def test_a_job_that_finishes_without_cancelling_fails_the_request_before_completion(steps):
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original(), docs.ORDER_CANCEL: CANCEL_ANSWER,
                               docs.JOB_STATUS: job(True)})

    with pytest.raises(PermanentFailure) as failure:
        steps.run(shopify)

    assert str(failure.value) == NOT_CANCELLED_REASON
    assert "original_cancelled" not in steps.state.get(REQUEST_ID)


def test_a_job_shopify_no_longer_knows_is_judged_by_the_order(steps):
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: [original(), original(cancelled=True)],
                               docs.ORDER_CANCEL: CANCEL_ANSWER, docs.JOB_STATUS: {"job": None}})
    steps.run(shopify)
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"


def test_a_lost_cancel_answer_is_not_sent_again_while_its_job_may_still_run(steps):
    lost = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original(),
                            docs.ORDER_CANCEL: RetryableShopifyError("OrderCancel: HTTP 502", 502)})
    with pytest.raises(RetryableShopifyError, match="HTTP 502"):
        steps.run(lost)

    still_running = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original()})
    with pytest.raises(RetryableShopifyError, match="an earlier orderCancel of #1001 may still be running"):
        steps.run(still_running)
    assert still_running.count(docs.ORDER_CANCEL) == 0

    cancelled_meanwhile = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: original(cancelled=True)})
    steps.run(cancelled_meanwhile)
    assert cancelled_meanwhile.count(docs.ORDER_CANCEL) == 0
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"


def test_a_cancel_lost_for_longer_than_its_job_could_run_is_sent_again(steps):
    steps.state.update(REQUEST_ID, cancel_sent_at=time.time() - CANCEL_GRACE_SECONDS - 1)
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: [original(), original(cancelled=True)],
                               docs.ORDER_CANCEL: CANCEL_ANSWER, docs.JOB_STATUS: job(True)})

    steps.run(shopify)

    assert shopify.count(docs.ORDER_CANCEL) == 1
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"


def test_already_cancelled_by_a_lost_earlier_cancel_counts_as_cancelled(steps):
    steps.state.update(REQUEST_ID, cancel_sent_at=time.time() - CANCEL_GRACE_SECONDS - 1)
    refused = {"orderCancel": {"job": None, "userErrors": [
        {"field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID"}]}}
    shopify = ScriptedShopify({docs.ORIGINAL_FOR_RECIPE: [original(), original(cancelled=True)],
                               docs.ORDER_CANCEL: refused})

    steps.run(shopify)

    assert shopify.count(docs.JOB_STATUS) == 0
    assert steps.state.get(REQUEST_ID)["original_cancelled"] == "1"
