"""A Dev Dashboard app against a shop whose tokens live 30 seconds: the fleet mints about once
per lifetime, every replacement completes across renewals, and a revoked token is renewed
without a failure. Two worker processes on a Redis of their own (`own_service`), the sandbox's
client credentials grant."""

import time

import pytest
import requests

from core.store import State
from devtools.processes import wait_until
from ops.cli import publisher
from replacements.configuration import load_settings
from sandbox.server import start_in_thread
from tests.integration.conftest import wait_for_request
from tests.payloads import SHOP

CLIENT_ID = "cid-expiring"
CLIENT_SECRET = "shpss_expiring_secret"
LIFETIME = 30


@pytest.fixture(scope="module")
def shop():
    store = start_in_thread(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_lifetime=LIFETIME,
                            draft_ready_delay=0.05)
    yield store
    store.stop()


@pytest.fixture(scope="module")
def two_workers(own_service, shop):
    env = {"SHOPIFY_SHOP": SHOP, "SHOPIFY_CLIENT_ID": CLIENT_ID, "SHOPIFY_CLIENT_SECRET": CLIENT_SECRET,
           "SHOPIFY_ADMIN_URL": shop.url, "LOG_LEVEL": "INFO"}
    with own_service("tokens", env=env, processes=2, concurrency=2) as service:
        yield service


@pytest.fixture
def env(two_workers) -> dict:
    return two_workers.env


@pytest.fixture
def state(two_workers, shop) -> State:
    requests.post(f"{shop.url}/_sandbox/reset", timeout=5).raise_for_status()
    two_workers.clean()
    return two_workers.state


def tokens(shop) -> dict:
    return requests.get(f"{shop.url}/_sandbox/tokens", timeout=5).json()


def request_replacement(shop, sender, request_id: str) -> None:
    [order] = requests.post(f"{shop.url}/_sandbox/orders", json={"count": 1}, timeout=5).json()["orders"]
    sender.send_task("worker.tasks.handle_event", args=[{
        "shop": SHOP, "source": "api", "source_label": "API", "request_id": request_id, "order": order["gid"]}])


@pytest.fixture
def sender(env):
    return publisher(load_settings(env))


def test_replacements_keep_completing_across_renewals_and_the_fleet_mints_once_per_lifetime(state, shop, sender):
    mints_before = tokens(shop)["mints"]
    started = time.monotonic()
    request_ids = []
    while time.monotonic() - started < 2.2 * LIFETIME:
        request_id = f"api-expiring-{len(request_ids)}"
        request_replacement(shop, sender, request_id)
        request_ids.append(request_id)
        time.sleep(3)
    records = [wait_for_request(state, request_id, timeout=60) for request_id in request_ids]
    elapsed = time.monotonic() - started
    assert [r["status"] for r in records] == ["done"] * len(request_ids)
    assert all(r.get("replacement_name") for r in records)
    # Renewed when a fifth of its life is left: one mint per 24 s of work, and one to start.
    mints = tokens(shop)["mints"] - mints_before
    print(f"{len(request_ids)} replacements over {elapsed:.0f} s with {LIFETIME} s tokens: {mints} mints")
    assert 2 <= mints <= elapsed / (0.8 * LIFETIME) + 2, (mints, elapsed)
    refused = [call for call in requests.get(f"{shop.url}/_sandbox/calls", timeout=5).json()["calls"]
               if call.get("status") == 401]
    assert refused == []


def test_a_revoked_token_is_renewed_without_a_failure(state, shop, sender):
    request_replacement(shop, sender, "api-revoked-0")
    assert wait_for_request(state, "api-revoked-0")["status"] == "done"
    before = tokens(shop)
    assert requests.post(f"{shop.url}/_sandbox/tokens/revoke", timeout=5).json()["revoked_now"] >= 1
    request_replacement(shop, sender, "api-revoked-1")
    record = wait_for_request(state, "api-revoked-1")
    assert (record["status"], record.get("reason")) == ("done", None)
    assert tokens(shop)["mints"] == before["mints"] + 1


def test_credentials_refused_pause_the_shop_and_its_work_resumes_when_they_are_accepted(state, shop, sender, env):
    requests.post(f"{shop.url}/_sandbox/tokens/revoke", timeout=5).raise_for_status()
    requests.post(f"{shop.url}/_sandbox/config", json={"refuse_mint": True}, timeout=5).raise_for_status()
    try:
        request_replacement(shop, sender, "api-paused-0")
        paused = wait_until(lambda: state.client.get(f"rw:paused:{SHOP}"), 20, message="the shop to be paused")
        assert b'"reason": "auth"' in paused
        assert state.get("api-paused-0")["status"] not in ("done", "failed")
    finally:
        requests.post(f"{shop.url}/_sandbox/config", json={"refuse_mint": False}, timeout=5).raise_for_status()
    record = wait_for_request(state, "api-paused-0", timeout=60)
    assert (record["status"], record.get("reason")) == ("done", None)
    orders = requests.get(f"{shop.url}/_sandbox/state", timeout=5).json()["orders"]
    assert not any("replacement-failed" in order["tags"] for order in orders)
