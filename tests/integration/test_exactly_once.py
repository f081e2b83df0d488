"""One request, one replacement, whatever fails: every fault is injected for real (duplicate
deliveries, racing processes, SIGKILLed workers, answers lost after Shopify applied the
change, 5xx bursts, slow answers) and the count of replacement orders must be exactly one."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from devtools.processes import Workers, wait_until
from tests.conftest import make_settings
from tests.integration.conftest import send_order_webhook, wait_for_request
from web import create_app

REQUEST = "admin-450789469-1"


def tag_and_send(web, shop, webhook_id="wh-1", event_id="ev-1"):
    shop.tag(add=["needs-replacement"])
    response = send_order_webhook(web, shop.rest_order(), webhook_id, event_id)
    assert response.json == {"status": "queued"}


def assert_exactly_one_replacement(shop, state, request_id=REQUEST):
    record = wait_for_request(state, request_id, timeout=90)
    assert record["status"] == "done", record
    replacements = shop.replacements()
    assert [r["name"] for r in replacements] == ["#1002"], replacements
    assert len(shop.drafts()) == 1
    assert replacements[0]["total_price"] == "0.00"
    tags = shop.order("#1001")["tags"]
    assert "replacement-issued" in tags and "needs-replacement" not in tags
    return record


def fired(shop, rule_index: int = 0) -> bool:
    rules = requests.get(f"{shop.url}/_sandbox/faults", timeout=5).json()["rules"]
    return rules[rule_index]["fired"] >= 1


# duplicates -------------------------------------------------------------------------------

def test_repeated_and_new_deliveries_of_one_tagging_make_one(web, shop, state, workers):
    tag_and_send(web, shop)
    for webhook_id, event_id in [("wh-1", "ev-1"), ("wh-2", "ev-1"), ("wh-3", "ev-3"), ("wh-4", "ev-4")]:
        send_order_webhook(web, shop.rest_order(), webhook_id, event_id)

    assert_exactly_one_replacement(shop, state)
    assert state.get("admin-450789469-2") is None


def test_removing_and_re_adding_the_tag_asks_for_another(web, shop, state, workers):
    tag_and_send(web, shop)
    assert_exactly_one_replacement(shop, state)
    # Shopify's updatedAt has whole seconds; a re-tag in the very second of our own release is
    # indistinguishable from a stale read, and is read as stale on purpose.
    time.sleep(1.1)

    tag_and_send(web, shop, "wh-again", "ev-again")

    assert wait_for_request(state, "admin-450789469-2")["status"] == "done"
    assert [r["name"] for r in shop.replacements()] == ["#1002", "#1003"]


def test_a_late_delivery_of_an_old_tagging_asks_for_nothing(web, shop, state, workers):
    tag_and_send(web, shop)
    # Another change made while the tag was on, delivered late (the same body again would be a
    # duplicate at the web tier, which dedupes on the body too).
    stale = {**shop.rest_order(), "note": "edited while tagged"}
    assert_exactly_one_replacement(shop, state)

    assert send_order_webhook(web, stale, "wh-late", "ev-late").json == {"status": "queued"}

    wait_until(lambda: "event ignored: trigger tag not on the order" in workers.output(), 20,
               message="the worker to ignore the stale delivery")
    assert len(shop.replacements()) == 1


# crashes and lost answers -----------------------------------------------------------------

KILLS = [
    pytest.param({"field": "order", "action": "delay", "nth": 1, "seconds": 4}, id="while-reading-the-order"),
    pytest.param({"field": "draftOrderCreate", "action": "delay", "nth": 1, "seconds": 4}, id="before-create-applied"),
    pytest.param({"field": "draftOrderCreate", "action": "apply_then_fail", "nth": 1, "hang": 4},
                 id="after-create-applied"),
    pytest.param({"field": "draftOrderComplete", "action": "delay", "nth": 1, "seconds": 4},
                 id="before-complete-applied"),
    pytest.param({"field": "draftOrderComplete", "action": "apply_then_fail", "nth": 1, "hang": 4},
                 id="after-complete-applied"),
    pytest.param({"field": "tagsRemove", "action": "apply_then_fail", "nth": 1, "hang": 4},
                 id="after-tag-removed"),
    pytest.param({"field": "tagsAdd", "action": "apply_then_fail", "nth": 1, "hang": 4}, id="after-tag-added"),
]


@pytest.mark.parametrize("fault", KILLS)
def test_worker_killed_mid_call_finishes_exactly_once(web, shop, state, workers, fault):
    shop.faults(fault)
    tag_and_send(web, shop)
    wait_until(lambda: fired(shop), 30, message=f"the {fault['field']} call")

    workers.kill_pool_children()

    assert_exactly_one_replacement(shop, state)


LOST_ANSWERS = [
    pytest.param({"field": "draftOrderCreate", "action": "apply_then_fail", "nth": 1, "status": 502}, id="create"),
    pytest.param({"field": "draftOrderComplete", "action": "apply_then_fail", "nth": 1, "status": 504},
                 id="complete"),
    pytest.param({"field": "tagsAdd", "action": "apply_then_fail", "nth": 1, "status": 502}, id="tags"),
    pytest.param({"field": "draftOrderCreate", "action": "delay", "nth": 1, "seconds": 11}, id="create-timed-out"),
]


@pytest.mark.parametrize("fault", LOST_ANSWERS)
def test_answer_lost_after_shopify_applied_the_change(web, shop, state, workers, fault):
    shop.faults(fault)
    tag_and_send(web, shop)
    assert_exactly_one_replacement(shop, state)


def test_5xx_bursts_and_slow_answers_are_ridden_out(web, shop, state, workers):
    shop.faults({"field": "order", "action": "fail", "times": 4, "status": 503},
                {"field": "draftOrderCreate", "action": "fail", "nth": 1, "status": 500},
                {"field": "draftOrderComplete", "action": "delay", "times": 2, "seconds": 1.5})
    tag_and_send(web, shop)
    assert_exactly_one_replacement(shop, state)


# permanent failures ----------------------------------------------------------------------

def test_refused_change_fails_visibly_and_re_tagging_retries(web, shop, state, workers):
    shop.faults({"field": "draftOrderCreate", "action": "user_error", "nth": 1, "message": "Variant is archived"})
    tag_and_send(web, shop)

    record = wait_for_request(state, REQUEST)

    assert record["status"] == "failed"
    assert record["reason"] == "draftOrderCreate refused: Variant is archived"
    assert state.journal_entries(REQUEST)[-1]["detail"] == {"reason": "draftOrderCreate refused: Variant is archived"}
    tags = shop.order("#1001")["tags"]
    assert "replacement-failed" in tags and "needs-replacement" not in tags
    assert shop.replacements() == []
    time.sleep(1.1)  # a new second: see test_removing_and_re_adding_the_tag_asks_for_another

    tag_and_send(web, shop, "wh-retry", "ev-retry")

    assert wait_for_request(state, "admin-450789469-2")["status"] == "done"
    tags = shop.order("#1001")["tags"]
    assert "replacement-issued" in tags and "replacement-failed" not in tags
    assert len(shop.replacements()) == 1


def test_cancelled_original_fails_with_a_clear_reason(web, shop, state, workers, service_env):
    cancel = """mutation { orderCancel(orderId: "gid://shopify/Order/450789469", restock: true, reason: CUSTOMER,
                notifyCustomer: false) { orderCancelUserErrors { message } } }"""
    answer = requests.post(f"{shop.url}/admin/api/2026-04/graphql.json", json={"query": cancel}, timeout=5,
                           headers={"X-Shopify-Access-Token": service_env["SHOPIFY_ACCESS_TOKEN"]}).json()
    assert answer["data"]["orderCancel"]["orderCancelUserErrors"] == []
    wait_until(lambda: shop.order("#1001")["cancelled_at"], 10, message="the cancel job")  # orderCancel is async
    tag_and_send(web, shop)

    record = wait_for_request(state, REQUEST)

    assert (record["status"], record["reason"]) == ("failed", "order #1001 is cancelled")
    assert "replacement-failed" in shop.order("#1001")["tags"]
    assert shop.replacements() == []


# racing processes (last: the extra workers stay up for the rest of the module) ---------------

@pytest.fixture(scope="module")
def four_workers(service_env, workers):
    """With the session's worker, three worker processes and six pool processes compete."""
    extra = [Workers(service_env, concurrency=2, name=f"race{i}").start() for i in range(2)]
    yield extra
    for process in extra:
        process.stop()


def test_two_web_processes_and_many_workers_racing_on_one_order_make_one(service_env, shop, state, four_workers):
    apps = [create_app(make_settings(**service_env)).test_client() for _ in range(2)]
    shop.tag(add=["needs-replacement"])
    order = shop.rest_order()
    answers = []

    def deliver(index: int):
        body = {**order, "note": f"change {index}"}  # a body each: the same body again is a duplicate
        answers.append(send_order_webhook(apps[index % 2], body, f"wh-{index}", f"ev-{index}").json["status"])

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count("queued") == 12
    assert_exactly_one_replacement(shop, state)
