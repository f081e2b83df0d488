"""Two shops from one SHOPS_FILE, each with its own store, token and secret: every delivery and
every task works on its own shop, and a redaction of one leaves the other alone."""

import json
import time

import pytest
import requests

from core.store import State
from devtools.processes import wait_until
from sandbox.server import start_in_thread
from tests.conftest import make_settings
from tests.integration.conftest import ORDER_ID, TOKEN, wait_for_request
from tests.payloads import SECRET, SHOP, shopify_headers
from tests.web.helpdesks.senders import SECRETS, encode, signed_headers, ticket_payload
from web import create_app

OTHER = "other-shop.myshopify.com"
OTHER_TOKEN = "shpat_other"
OTHER_SECRET = "shpss_other_secret"


@pytest.fixture(scope="module")
def other_sandbox():
    store = start_in_thread(token=OTHER_TOKEN, draft_ready_delay=0.05)
    yield store
    store.stop()


@pytest.fixture(scope="module")
def multi_workers(own_service, sandbox, other_sandbox, tmp_path_factory):
    """Workers of both shops on a Redis of their own, so the single-shop workers of other modules never
    take these tasks."""
    path = tmp_path_factory.mktemp("shops") / "shops.json"
    path.write_text(json.dumps([
        {"shop": SHOP, "access_token": TOKEN, "webhook_secret": SECRET, "admin_url": sandbox.url},
        {"shop": OTHER, "access_token": OTHER_TOKEN, "webhook_secret": OTHER_SECRET, "admin_url": other_sandbox.url},
    ]))
    env = {"SHOPS_FILE": str(path), "LOG_LEVEL": "INFO", "GORGIAS_WEBHOOK_SECRET": SECRETS["gorgias"]}
    with own_service("multi", env=env, concurrency=2) as service:
        yield service


@pytest.fixture
def shops_env(multi_workers) -> dict:
    return multi_workers.env


@pytest.fixture
def state(multi_workers, other_sandbox) -> State:
    """Both stores seeded and the shops' Redis empty (the default store is reset by clean_world)."""
    requests.post(f"{other_sandbox.url}/_sandbox/reset", timeout=5).raise_for_status()
    multi_workers.clean()
    return multi_workers.state


def post(web, body: dict, shop: str, secret: str, webhook_id: str, topic: str = "orders/updated"):
    raw = json.dumps(body).encode()
    return web.post("/webhooks/shopify", data=raw,
                    headers=shopify_headers(raw, topic=topic, webhook_id=webhook_id, shop=shop, secret=secret))


def replacements(url: str) -> list[dict]:
    orders = requests.get(f"{url}/_sandbox/state", timeout=5).json()["orders"]
    return [o for o in orders if "replacement" in o["tags"]]


def test_two_shops_stay_isolated(state, shops_env, sandbox, other_sandbox):
    web = create_app(make_settings(**shops_env)).test_client()
    requests.post(f"{sandbox.url}/_sandbox/orders/{ORDER_ID}/tags", json={"add": ["needs-replacement"]},
                  timeout=5).raise_for_status()
    [other_order] = requests.post(f"{other_sandbox.url}/_sandbox/orders",
                                  json={"count": 1, "tags": ["needs-replacement"]}, timeout=5).json()["orders"]
    ours = requests.get(f"{sandbox.url}/_sandbox/orders/{ORDER_ID}/rest", timeout=5).json()
    theirs = requests.get(f"{other_sandbox.url}/_sandbox/orders/{other_order['id']}/rest", timeout=5).json()

    assert post(web, theirs, OTHER, SECRET, "wh-m-0").status_code == 401  # another shop's secret
    assert post(web, theirs, "stranger.myshopify.com", OTHER_SECRET, "wh-m-1").status_code == 403
    assert post(web, ours, SHOP, SECRET, "wh-m-2").json == {"status": "queued"}
    assert post(web, theirs, OTHER, OTHER_SECRET, "wh-m-3").json == {"status": "queued"}

    assert wait_for_request(state, f"admin-{ORDER_ID}-1")["status"] == "done"
    other_request = f"admin-{other_order['id']}-1"
    assert wait_for_request(state, other_request)["status"] == "done"
    [mine] = replacements(sandbox.url)
    [other] = replacements(other_sandbox.url)
    assert mine["tags"] == ["replacement", "replacement-for-1001"]
    assert other["tags"] == ["replacement", f"replacement-for-{other_order['name'].lstrip('#')}"]
    assert {"key": "Replacement request", "value": other_request} in other["custom_attributes"]
    assert state.get(other_request)["request"]["shop"] == OTHER

    other_calls = requests.get(f"{other_sandbox.url}/_sandbox/calls", timeout=5).json()["calls"]
    assert other_calls and not any(str(ORDER_ID) in json.dumps(call) for call in other_calls)

    redact = post(web, {"shop_id": 2, "shop_domain": OTHER}, OTHER, OTHER_SECRET, "wh-m-4", topic="shop/redact")
    assert redact.json == {"status": "queued"}
    wait_until(lambda: state.get(other_request) is None, 20, message="the other shop's records to be erased")
    assert state.get(f"admin-{ORDER_ID}-1")["status"] == "done"
    assert [e["request_id"] for e in state.journal_entries()] == [f"admin-{ORDER_ID}-1"] * 5


def test_the_same_ticket_number_in_two_shops_is_two_requests(state, shops_env, sandbox, other_sandbox):
    """Ticket ids count from 1 in every helpdesk account: each shop's ticket 77 is its own request."""
    web = create_app(make_settings(**shops_env)).test_client()
    [other_order] = requests.post(f"{other_sandbox.url}/_sandbox/orders", json={"count": 1}, timeout=5).json()["orders"]
    for shop, order in ((SHOP, "#1001"), (OTHER, other_order["name"])):
        body = encode(ticket_payload("gorgias", ticket_id="77", order=order))
        answer = web.post(f"/webhooks/helpdesk/gorgias?shop={shop}", data=body, headers={
            "Content-Type": "application/json", **signed_headers("gorgias", body, SECRETS["gorgias"], time.time())})
        assert answer.json == {"status": "queued"}

    assert wait_for_request(state, "gorgias-example-77")["status"] == "done"
    assert wait_for_request(state, "gorgias-other-shop-77")["status"] == "done"
    assert len(replacements(sandbox.url)) == 1
    assert len(replacements(other_sandbox.url)) == 1
