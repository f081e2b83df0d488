"""Redis is the system of record: API requests already answered 202 survive a SIGKILL of
redis-server with AOF `everysec` (as docker-compose.yml runs it), and are lost without
persistence, so the setting is what keeps them (`python -m bench.redis_crash` measures both).

Each test runs its own redis-server (SIGKILLed and started again on the same port, data
directory and configuration) and the Procfile's web with API_TOKEN set; no worker runs, so each
request is still queued, recorded nowhere but in Redis."""

from __future__ import annotations

from bench.redis_crash import crash

REQUESTS = 100


def test_with_aof_everysec_no_request_answered_202_is_lost_to_a_sigkill():
    result = crash("aof", REQUESTS)
    assert (result.answered, result.kept, result.lost) == (REQUESTS, REQUESTS, 0)


def test_without_persistence_requests_answered_202_are_lost_to_a_sigkill():
    result = crash("none", REQUESTS)
    assert result.answered == REQUESTS
    assert result.lost == REQUESTS, f"without persistence only {result.lost} of {REQUESTS} were lost"
