"""Redis is the system of record: the service refuses one that may evict, says it is not ready
while Redis refuses writes, and its worker comes back once a full Redis has room again."""

import subprocess
import sys
import time

import pytest
import redis

from core.store import State
from devtools.processes import ROOT, RedisServer, stop_process_group
from tests.conftest import make_settings
from tests.integration.conftest import wait_for_request
from web import create_app

AUTH = {"Authorization": "Bearer api-token-test"}


@pytest.fixture
def own_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def env(service_env, own_redis) -> dict:
    return {**service_env, "REDIS_URL": own_redis.url, "API_TOKEN": "api-token-test"}


@pytest.mark.parametrize("module", ["web.wsgi", "worker.main"])
def test_a_redis_that_may_evict_is_refused_at_start_up_with_one_line(own_redis, env, module):
    own_redis.client().config_set("maxmemory-policy", "allkeys-lru")
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 78
    assert result.stderr.strip().splitlines()[-1] == (
        "configuration error: REDIS_URL: the server's maxmemory-policy is allkeys-lru: a full Redis would evict "
        "queued tasks and requests already accepted; set maxmemory-policy noeviction")


def fill(client) -> None:
    """maxmemory just above what Redis holds, then write until it refuses (noeviction)."""
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", client.info("memory")["used_memory"] + 512 * 1024)
    for size in (64 * 1024, 4096, 256, 16):
        for n in range(2000):
            try:
                client.set(f"filler:{size}:{n}", "x" * size)
            except redis.exceptions.OutOfMemoryError:
                break
        else:
            raise AssertionError("Redis never filled up")


def test_a_full_redis_is_not_ready_and_the_worker_comes_back_when_it_has_room(own_redis, env):
    client = own_redis.client()
    fill(client)
    web = create_app(make_settings(**env)).test_client()
    assert web.get("/readyz").json == {"status": "unavailable", "reason": "broker refuses writes"}
    assert web.post("/api/replacements", json={"order": "#1001"}, headers=AUTH).status_code == 503

    log = open(own_redis.dir + "/worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "worker.run_worker", "--loglevel", "INFO", "--concurrency", "1",
                               "--hostname", "full@%h", "--without-mingle", "--without-gossip"],
                              cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        time.sleep(8)
        output = open(log.name).read()
        # Celery dies at start-up on a full Redis (OutOfMemoryError): it must be started again.
        assert worker.poll() is None and "OutOfMemoryError" in output and "starting it again" in output, output[-3000:]
        client.config_set("maxmemory", 0)
        assert web.get("/readyz").json == {"status": "ready"}
        answer = web.post("/api/replacements", json={"order": "#1001"}, headers=AUTH)
        assert answer.status_code == 202
        record = wait_for_request(State(client), answer.json["request_id"], timeout=60)
        assert record["status"] == "done"
    finally:
        stop_process_group(worker)
        log.close()
