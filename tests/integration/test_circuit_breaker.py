"""The store's circuit breaker through real workers: with REPLACEMENT_MAX_PER_HOUR=2, four
requests at once make two replacements and two drafts held for review that say why."""

import pytest

from core import keys
from tests.integration.conftest import wait_for_request
from tests.integration.served import API_AUTH
from tests.integration.test_policy_rules import new_order
from tests.payloads import SHOP

REASON = "circuit breaker: 2 replacements in the last hour; REPLACEMENT_MAX_PER_HOUR is 2"


@pytest.fixture
def breaker(own_service):
    with own_service("breaker", concurrency=2, REPLACEMENT_MAX_PER_HOUR="2") as service:
        yield service


def test_beyond_the_hourly_cap_replacements_are_held_for_review(shop, breaker):
    orders = [new_order(shop) for _ in range(4)]

    answer = breaker.web().post("/api/replacements", headers=API_AUTH, json={"orders": orders, "reason": "lost"})
    records = [wait_for_request(breaker.state, request_id) for request_id in answer.json["request_ids"]]

    assert sorted(record["hold"] for record in records) == ["0", "0", "1", "1"]
    held = [record for record in records if record["hold"] == "1"]
    assert {record["held_because"] for record in held} == {REASON}
    assert len(shop.replacements()) == 2
    drafts = [draft for draft in shop.drafts() if draft["status"] == "OPEN"]
    assert len(drafts) == 2
    for draft in drafts:
        assert "replacement-review" in draft["tags"]
        assert draft["note"].endswith(f". Held: {REASON}")
    assert breaker.client.zcard(keys.breaker_window(SHOP)) == 2
