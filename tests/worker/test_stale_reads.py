"""When a read of the order that still shows the trigger tag is a stale read, not a re-tag."""

import time

from worker.admin_requests import STALE_READ_SECONDS, is_stale

RELEASED_AT = "2026-11-26T10:00:05Z"


def test_a_read_older_than_our_release_isis_stale():
    assert is_stale({"updatedAt": "2026-11-26T10:00:04Z"}, (RELEASED_AT, time.time()))


def test_a_read_in_the_same_second_is_stale_for_a_minute_only():
    assert is_stale({"updatedAt": RELEASED_AT}, (RELEASED_AT, time.time()))
    assert not is_stale({"updatedAt": RELEASED_AT}, (RELEASED_AT, time.time() - STALE_READ_SECONDS - 1))


def test_a_later_update_is_a_new_tagging():
    assert not is_stale({"updatedAt": "2026-11-26T10:00:06Z"}, (RELEASED_AT, time.time()))
