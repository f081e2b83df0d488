"""The burst allowance: a shop's first tasks of a minute go to the queue's list that workers take
first, the rest of its burst to the low-priority list; another shop, or a dry run, is never held
behind it."""

import fakeredis

from core import keys
from tests.queued import decode
from web.intake import BURST_ALLOWANCE, Intake


def queued(client, name: str) -> list[str]:
    return [decode(raw)[1][0]["n"] for raw in reversed(client.lrange(name, 0, -1))]


def test_a_shop_past_its_burst_allowance_waits_behind_other_shops():
    client = fakeredis.FakeRedis()
    intake = Intake(client, keys.QUEUE, dedupe_seconds=60)

    for n in range(BURST_ALLOWANCE + 5):
        assert intake.accept([f"a-{n}"], keys.HANDLE_EVENT, [{"n": f"a{n}"}], shop="a.myshopify.com") == "queued"
    intake.accept(["b-0"], keys.HANDLE_EVENT, [{"n": "b0"}], shop="b.myshopify.com")
    intake.accept([], keys.DRY_RUN, [{"n": "dry"}])

    assert queued(client, keys.QUEUE) == [f"a{n}" for n in range(BURST_ALLOWANCE)] + ["b0", "dry"]
    assert queued(client, keys.priority_list(keys.QUEUE, keys.LOW_PRIORITY)) == [
        f"a{n}" for n in range(BURST_ALLOWANCE, BURST_ALLOWANCE + 5)]
    assert 0 < client.ttl(keys.burst("a.myshopify.com")) <= 60
    assert not client.exists(keys.burst(""))


def test_a_duplicate_counts_in_no_burst():
    client = fakeredis.FakeRedis()
    intake = Intake(client, keys.QUEUE, dedupe_seconds=60)

    assert intake.accept(["same"], keys.HANDLE_EVENT, [{"n": "1"}], shop="a.myshopify.com") == "queued"
    assert intake.accept(["same"], keys.HANDLE_EVENT, [{"n": "1"}], shop="a.myshopify.com") == "duplicate"

    assert client.get(keys.burst("a.myshopify.com")) == b"1"
