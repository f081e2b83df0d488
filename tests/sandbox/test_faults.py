"""Fault injection: the failures a Shopify client must survive, on the call chosen."""

import time

import pytest
import requests

from sandbox.testing import sandbox_fixtures

DRAFT = """mutation { draftOrderCreate(input: {lineItems: [{variantId: "gid://shopify/ProductVariant/49148385",
    quantity: 1}]}) { draftOrder { id } userErrors { field message } } }"""


sandbox_server, shop = sandbox_fixtures()


def drafts(shop) -> int:
    return shop.state()["counts"]["draft_orders"]


def test_fail_answers_the_status_on_the_nth_call_without_applying(shop):
    shop.faults({"field": "draftOrderCreate", "action": "fail", "status": 502, "nth": 2})

    statuses = [shop.post_graphql(DRAFT).status_code for _ in range(3)]

    assert statuses == [200, 502, 200]
    assert drafts(shop) == 2
    assert [call["fault"] for call in shop.calls()] == [None, "fail", None]


def test_apply_then_fail_makes_the_change_but_answers_an_error(shop):
    shop.faults({"field": "draftOrderCreate", "action": "apply_then_fail", "times": 1})

    assert shop.post_graphql(DRAFT).status_code == 502
    assert drafts(shop) == 1
    assert shop.post_graphql(DRAFT).status_code == 200


def test_apply_then_fail_with_hang_drops_the_connection_after_applying(shop):
    shop.faults({"field": "draftOrderCreate", "action": "apply_then_fail", "hang": 0.1})

    with pytest.raises(requests.ConnectionError):
        shop.post_graphql(DRAFT)

    assert drafts(shop) == 1


def test_delay_sleeps_then_answers(shop):
    shop.faults({"field": "shop", "action": "delay", "seconds": 0.2})

    started = time.monotonic()
    body = shop.gql("{ shop { name } }")

    assert time.monotonic() - started >= 0.2
    assert body["data"] == {"shop": {"name": "Example Store"}}


def test_throttle_answers_throttled_for_the_next_n_calls(shop):
    shop.faults({"field": "draftOrderCreate", "action": "throttle", "times": 2})

    codes = [shop.gql(DRAFT).get("errors", [{}])[0].get("extensions", {}).get("code") for _ in range(3)]

    assert codes == ["THROTTLED", "THROTTLED", None]
    assert drafts(shop) == 1


def test_user_error_answers_the_mutation_with_it_and_applies_nothing(shop):
    shop.faults({"field": "draftOrderCreate", "action": "user_error", "message": "Inventory is not available"})

    body = shop.gql(DRAFT)

    assert body["data"] == {"draftOrderCreate": {"draftOrder": None, "userErrors": [
        {"field": None, "message": "Inventory is not available"}]}}
    assert drafts(shop) == 0


def test_slow_delays_every_call(shop):
    requests.post(f"{shop.url}/_sandbox/faults", json={"slow": 0.15}, timeout=5).raise_for_status()

    started = time.monotonic()
    shop.gql("{ shop { name } }")

    assert time.monotonic() - started >= 0.15


def test_faults_are_cleared_by_delete_and_by_reset(shop):
    shop.faults({"field": "*", "action": "fail"})
    requests.delete(f"{shop.url}/_sandbox/faults", timeout=5).raise_for_status()
    assert shop.post_graphql("{ shop { name } }").status_code == 200

    shop.faults({"field": "*", "action": "fail"})
    shop.reset()
    assert shop.post_graphql("{ shop { name } }").status_code == 200


def test_a_malformed_rule_is_refused(shop):
    response = requests.post(f"{shop.url}/_sandbox/faults", json=[{"field": "x", "action": "explode"}], timeout=5)

    assert response.status_code == 422
    assert "action" in response.json()["error"]


def test_graphql_error_answers_200_with_shopifys_internal_error_and_no_data(shop):
    shop.faults({"field": "draftOrderCreate", "action": "graphql_error", "times": 1})

    response = shop.post_graphql(DRAFT)

    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["X-Request-Id"]
    assert body == {"errors": [{
        "message": "Internal error. Looks like something went wrong on our end.\n"
                   f"Request ID: {request_id} (include this in support requests).",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    }]}
    assert drafts(shop) == 0
    [call] = shop.calls()
    assert (call["fault"], call["errors"], call["charged"]) == ("graphql_error", ["INTERNAL_SERVER_ERROR"], 0)
    assert shop.gql(DRAFT)["data"]["draftOrderCreate"]["userErrors"] == []


def test_graphql_error_can_be_a_timeout_and_can_come_after_the_change_was_made(shop):
    shop.faults({"field": "draftOrderCreate", "action": "graphql_error", "code": "TIMEOUT", "apply": True})

    body = shop.gql(DRAFT)

    assert "data" not in body
    assert body["errors"][0]["message"] == "Timeout"
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert drafts(shop) == 1


@pytest.mark.parametrize(("status", "body"), [(402, {"errors": "Unavailable Shop"}), (423, {"errors": "Locked"})])
def test_fail_answers_a_frozen_or_locked_shop(shop, status, body):
    shop.faults({"field": "draftOrderCreate", "action": "fail", "status": status, "nth": 1})

    response = shop.post_graphql(DRAFT)

    assert (response.status_code, response.json()) == (status, body)
    assert drafts(shop) == 0


def test_a_locked_shop_answers_every_call_until_the_time_passes(shop):
    shop.lock(0.4)

    locked = shop.post_graphql("{ shop { name } }")
    assert (locked.status_code, locked.json()) == (423, {"errors": "Locked"})
    assert shop.post_graphql(DRAFT).status_code == 423
    time.sleep(0.45)
    assert shop.post_graphql("{ shop { name } }").status_code == 200
    assert drafts(shop) == 0
    assert [(call["status"], call["fault"]) for call in shop.calls()] == [(423, "lock"), (423, "lock"), (200, None)]


def test_a_frozen_shop_stays_frozen_until_unlocked_or_reset(shop):
    shop.lock(None, status=402)
    assert shop.post_graphql("{ shop { name } }").status_code == 402
    requests.delete(f"{shop.url}/_sandbox/lock", timeout=5).raise_for_status()
    assert shop.post_graphql("{ shop { name } }").status_code == 200

    shop.lock(None, status=402)
    shop.reset()
    assert shop.post_graphql("{ shop { name } }").status_code == 200


def test_a_lock_takes_402_or_423_only(shop):
    response = requests.post(f"{shop.url}/_sandbox/lock", json={"seconds": 1, "status": 500}, timeout=5)

    assert response.status_code == 422
