"""The shared budget: reserve the requested cost, give back the unspent part, follow Shopify down,
wait (never fail) while the bucket is short, and share the points between processes."""

import fakeredis
import pytest
from fakeredis.commands_mixins import server_mixin

from core.settings import Shop
from shopify.budget import HOLD_SECONDS, SLOT_HORIZON, UNKNOWN_COST, SharedBudget
from shopify.client import ShopifyClient
from shopify.errors import BudgetShort

SHOP = "example.myshopify.com"


class Clock:
    """Redis' clock (the TIME the scripts read), moved only by the budget's sleeps."""

    def __init__(self):
        self.now = 1_800_000_000.0
        self.sleeps = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(server_mixin, "time", clock)
    return clock


@pytest.fixture
def server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


def budget(server, clock, defer: bool = False) -> SharedBudget:
    """`defer=False`: waits however long, as an operator's command does; a task's defers."""
    return SharedBudget(fakeredis.FakeRedis(server=server), SHOP, sleep=clock.sleep, defer=defer)


def answer(requested, actual, available, maximum=2000.0, rate=100.0) -> dict:
    return {"requestedQueryCost": requested, "actualQueryCost": actual,
            "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate}}


def tokens(server) -> float:
    return float(fakeredis.FakeRedis(server=server).hget(f"rw:budget:{SHOP}", "tokens"))


def test_an_operation_not_seen_yet_reserves_the_single_query_maximum_then_what_shopify_asked(server, clock):
    shared = budget(server, clock)
    assert shared.acquire("OrderForReplacement") == UNKNOWN_COST
    shared.settle("OrderForReplacement", answer(402, 9, 1991))
    assert shared.acquire("OrderForReplacement") == 402
    assert clock.sleeps == []


def test_settle_gives_back_what_the_call_did_not_spend(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(402, 9, 1991))
    shared.acquire("Q")
    assert tokens(server) == pytest.approx(1991 - 402)
    shared.settle("Q", answer(402, 9, 1982))
    assert tokens(server) == pytest.approx(1982)


def test_the_first_answer_replaces_the_first_guess_less_what_others_hold(server, clock):
    first, second = budget(server, clock), budget(server, clock)
    first.acquire("Q")
    first.settle("Q", answer(100, 0, 2000))  # teaches the cost; the bucket is bigger than guessed
    server_state = fakeredis.FakeRedis(server=server)
    server_state.hdel(f"rw:budget:{SHOP}", "synced")  # as if Redis had lost the budget
    second.acquire("Q")
    first.acquire("Q")
    first.settle("Q", answer(100, 10, 1890))
    assert tokens(server) == pytest.approx(1890 - 100)


def test_the_model_follows_shopify_down_but_never_up(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(10, 10, 500))
    assert tokens(server) == pytest.approx(500)
    shared.acquire("Q")
    shared.settle("Q", answer(10, 10, 1990))
    assert tokens(server) == pytest.approx(490)


def test_a_throttled_answer_gives_back_the_whole_reservation(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(10, 10, 900))
    shared.acquire("Q")
    shared.settle("Q", answer(10, None, 900))
    assert tokens(server) == pytest.approx(900)


def test_the_bucket_refills_at_the_plan_rate_shopify_reports(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(10, 10, 0, maximum=20000.0, rate=1000.0))
    clock.now += 2
    assert shared.acquire("Q") == 10
    assert tokens(server) == pytest.approx(2000 - 10)


def test_a_short_bucket_waits_for_the_points_instead_of_failing(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(400, 400, 100))
    assert shared.acquire("Q") == 400
    assert sum(clock.sleeps) == pytest.approx(3.0, abs=0.06)  # (400 - 100) / 100 points per second
    assert tokens(server) == pytest.approx(0, abs=6)


def test_two_processes_share_one_bucket(server, clock):
    first, second = budget(server, clock), budget(server, clock)
    first.acquire("Q")
    first.settle("Q", answer(600, 0, 1000))
    second.acquire("Q")
    assert clock.sleeps == []
    first.acquire("Q")
    assert sum(clock.sleeps) == pytest.approx(2.0, abs=0.06)  # 400 left, 600 wanted


def test_a_reservation_never_settled_is_given_back_after_the_hold(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(500, 500, 500, maximum=1000.0, rate=1.0))
    shared.acquire("Q")  # the answer never comes: a 5xx, or the process died
    assert tokens(server) == pytest.approx(0)
    clock.now += HOLD_SECONDS + 1
    shared.acquire("Q")
    assert clock.sleeps == []


def test_a_large_call_that_waits_is_not_starved_by_small_ones(server, clock):
    large, small = budget(server, clock), budget(server, clock)
    for shared, operation, requested in ((large, "Large", 400), (small, "Small", 10)):
        shared.acquire(operation)
        shared.settle(operation, answer(requested, 0, 2000))
    large.acquire("Large")
    large.settle("Large", answer(400, 400, 100))
    small_waited = []

    def large_sleeps(seconds):
        if not small_waited:  # a small call arrives while the large one waits
            before = len(clock.sleeps)
            small.acquire("Small")
            small_waited.append(sum(clock.sleeps[before:]))
        clock.sleep(seconds)

    large.sleep = large_sleeps
    large.acquire("Large")
    # 100 points were there, but the small call left room for the large one: (400 + 10 - 100) / 100
    assert small_waited == [pytest.approx(3.1, abs=0.06)]
    assert tokens(server) == pytest.approx(0, abs=6)


def test_without_a_throttle_status_the_reservation_counts_as_spent(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(10, 10, 990))
    shared.acquire("Q")
    shared.settle("Q", None)
    assert tokens(server) == pytest.approx(980)


def test_the_shopify_client_reserves_before_and_settles_after_each_call(server, clock):
    class Session:
        def post(self, url, json, headers, timeout):
            return type("Answer", (), {"status_code": 200, "headers": {}, "text": "",
                                       "json": lambda self: {"data": {"order": None},
                                                             "extensions": {"cost": answer(52, 12, 1988)}}})()

    shop = Shop(SHOP, "shpat_x", ("s",), "http://shop.test")
    client = ShopifyClient(shop, session=Session(), budget=budget(server, clock), sleep=clock.sleep)
    client.query("query OrderForReplacement($id: ID!) { order(id: $id) { id } }", {"id": "x"})
    client.query("query OrderForReplacement($id: ID!) { order(id: $id) { id } }", {"id": "x"})

    learned = fakeredis.FakeRedis(server=server).hget(f"rw:budget:{SHOP}:cost", "OrderForReplacement")
    assert float(learned) == 52
    assert tokens(server) == pytest.approx(1988 - 12)  # the second call's charge; 1988 again does not raise it
    assert fakeredis.FakeRedis(server=server).hlen(f"rw:budget:{SHOP}:held") == 0


def test_a_call_that_got_no_answer_gives_its_reservation_back_at_once(server, clock):
    shared = budget(server, clock)
    shared.acquire("Q")
    shared.settle("Q", answer(500, 500, 500, maximum=1000.0, rate=1.0))
    shared.acquire("Q")
    assert tokens(server) == pytest.approx(0)
    shared.release("Q")  # a 5xx or a timeout: no answer, no charge known
    assert tokens(server) == pytest.approx(500)
    shared.acquire("Q")
    assert clock.sleeps == []


def test_a_task_never_waits_long_it_gets_a_slot_in_the_shops_queue(server, clock):
    first, second, third = (budget(server, clock, defer=True) for _ in range(3))
    first.acquire("Q")
    first.settle("Q", answer(600, 600, 400))  # 400 left, the next 600 need 2 s
    with pytest.raises(BudgetShort) as short:
        second.acquire("Q")
    assert (short.value.shop, short.value.retry_in) == (SHOP, pytest.approx(2.0, abs=0.06))
    with pytest.raises(BudgetShort) as later:
        third.acquire("Q")
    assert later.value.retry_in == pytest.approx(8.0, abs=0.06)  # after the slot before it: 600 points, 6 s
    assert clock.sleeps == []


def test_a_short_moment_is_waited_in_the_task(server, clock):
    shared = budget(server, clock, defer=True)
    shared.acquire("Q")
    shared.settle("Q", answer(100, 100, 60))  # 40 short: 0.4 s
    shared.acquire("Q")
    assert sum(clock.sleeps) == pytest.approx(0.4, abs=0.06)


def test_beyond_the_horizon_a_task_waits_it_spread_and_asks_again(server, clock):
    shared = budget(server, clock, defer=True)
    shared.acquire("Q")
    shared.settle("Q", answer(1000, 1000, 0, rate=10.0))  # 1000 points at 10 a second: 100 s
    with pytest.raises(BudgetShort) as short:
        shared.acquire("Q")
    assert SLOT_HORIZON <= short.value.retry_in <= SLOT_HORIZON * 1.3
