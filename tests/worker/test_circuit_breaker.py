"""The store's circuit breaker against a real redis-server: a burst of 200 from 200 threads
with a cap of 50 admits exactly 50, a request counted once however often it asks, and windows
that slide."""

import threading
from decimal import Decimal

import pytest

from core import keys
from devtools.processes import RedisServer
from tests.conftest import make_settings
from tests.payloads import SHOP
from worker.circuit_breaker import HOUR_MS, admit

NOW_MS = 1_796_000_000_000


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def client(redis_server):
    client = redis_server.client()
    client.flushdb()
    return client


def burst(redis_server, settings, count: int, value: str = "10.00") -> list:
    """`count` requests at once, one thread and one connection each (as many processes), released together."""
    clients = [redis_server.client() for _ in range(count)]
    for own in clients:
        own.ping()
    start = threading.Barrier(count)
    answers = [None] * count

    def ask(index: int) -> None:
        start.wait()
        answers[index] = admit(clients[index], settings, SHOP, f"api-{index}", Decimal(value), "USD")

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in clients:
        own.close()
    return answers


def test_a_burst_of_200_with_a_cap_of_50_per_hour_admits_exactly_50(client, redis_server):
    answers = burst(redis_server, make_settings(REPLACEMENT_MAX_PER_HOUR="50"), 200)

    assert answers.count(None) == 50
    refused = [answer for answer in answers if answer]
    assert len(refused) == 150
    assert set(refused) == {("max_per_hour",
                             "circuit breaker: 50 replacements in the last hour; REPLACEMENT_MAX_PER_HOUR is 50")}
    assert client.zcard(keys.breaker_window(SHOP)) == 50


def test_a_burst_of_200_worth_10_each_with_500_a_day_admits_exactly_50(client, redis_server):
    answers = burst(redis_server, make_settings(REPLACEMENT_MAX_VALUE_PER_DAY="500.00"), 200)

    assert answers.count(None) == 50
    assert {answer for answer in answers if answer} == {(
        "max_value_per_day", "circuit breaker: replacements worth 500.00 USD in the last 24 hours and this one's "
                             "10.00 would pass REPLACEMENT_MAX_VALUE_PER_DAY 500.00")}


def test_a_request_asking_again_is_counted_once_and_answered_the_same(client):
    settings = make_settings(REPLACEMENT_MAX_PER_HOUR="2")
    first = [admit(client, settings, SHOP, f"api-{index}", Decimal("1"), "USD") for index in range(3)]
    again = [admit(client, settings, SHOP, f"api-{index}", Decimal("1"), "USD") for index in range(3)]

    assert first == again
    assert [answer is None for answer in first] == [True, True, False]
    assert client.zcard(keys.breaker_window(SHOP)) == 2
    assert 0 < client.ttl(keys.breaker_decision("api-0")) <= 2 * 24 * 3600


def test_at_the_value_cap_exactly_it_is_admitted_a_cent_above_held(client):
    settings = make_settings(REPLACEMENT_MAX_VALUE_PER_DAY="100.00")

    assert admit(client, settings, SHOP, "api-1", Decimal("60.00"), "USD") is None
    assert admit(client, settings, SHOP, "api-2", Decimal("40.01"), "USD")[0] == "max_value_per_day"
    assert admit(client, settings, SHOP, "api-3", Decimal("40.00"), "USD") is None


def test_the_hour_slides(client):
    settings = make_settings(REPLACEMENT_MAX_PER_HOUR="1")

    assert admit(client, settings, SHOP, "api-1", Decimal("1"), "USD", now_ms=NOW_MS) is None
    assert admit(client, settings, SHOP, "api-2", Decimal("1"), "USD", now_ms=NOW_MS + HOUR_MS - 1) is not None
    assert admit(client, settings, SHOP, "api-3", Decimal("1"), "USD", now_ms=NOW_MS + HOUR_MS) is None
    assert 0 < client.pttl(keys.breaker_window(SHOP)) <= 24 * HOUR_MS


def test_the_day_slides_and_forgets_what_left_it(client):
    settings = make_settings(REPLACEMENT_MAX_VALUE_PER_DAY="100")

    assert admit(client, settings, SHOP, "api-1", Decimal("100"), "USD", now_ms=NOW_MS) is None
    assert admit(client, settings, SHOP, "api-2", Decimal("1"), "USD", now_ms=NOW_MS + 24 * HOUR_MS - 1) is not None
    assert admit(client, settings, SHOP, "api-3", Decimal("100"), "USD", now_ms=NOW_MS + 24 * HOUR_MS) is None
    assert client.zcard(keys.breaker_window(SHOP)) == 1


def test_off_without_either_setting_and_nothing_written(client):
    assert admit(client, make_settings(), SHOP, "api-1", Decimal("1000000"), "USD") is None
    assert client.keys("*") == []


def test_looking_only_answers_as_admitting_would_and_writes_nothing(client):
    settings = make_settings(REPLACEMENT_MAX_PER_HOUR="1")
    assert admit(client, settings, SHOP, "api-1", Decimal("1"), "USD", look_only=True) is None
    assert client.keys("*") == []

    admit(client, settings, SHOP, "api-1", Decimal("1"), "USD")
    before = {key: client.dump(key) for key in client.keys("*")}
    assert admit(client, settings, SHOP, "api-2", Decimal("1"), "USD", look_only=True)[0] == "max_per_hour"
    assert {key: client.dump(key) for key in client.keys("*")} == before
