"""The API in-process: token, validation, ids that make a resubmission a duplicate, status."""

from unittest import mock

import fakeredis
import pytest
import redis

from core.store import State
from tests.conftest import make_settings
from tests.queued import QueuedTasks
from web import api, create_app

NOT_AN_ORDER = "must be an order name like #1001, EN1001 or 1001-A, a number, an id or a gid"

TOKEN = "api-token-test"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def post(app, body, headers=AUTH, **kwargs):
    return app.test_client().post("/api/replacements", json=body, headers=headers, **kwargs)


def test_one_order_is_recorded_queued_and_readable_at_once(app, queued, redis_client):
    body = {"order": "#1001", "reason": "lost by the carrier", "lines": [{"sku": "IPOD2008RED", "quantity": 1}],
            "shipping_address": {"address1": "1 New Road", "city": "Austin", "countryCode": "US"}}

    response = post(app, body)

    assert response.status_code == 202
    request_id = response.json["request_id"]
    assert response.json == {"request_id": request_id, "status": "queued"}
    event = {"shop": "example.myshopify.com", "source": "api", "source_label": "API", "request_id": request_id,
              **body}
    queued.assert_called_once_with("worker.tasks.handle_event", args=[event])
    # Recorded as the worker would record it, with the recipe's choices fixed.
    assert State(redis_client).get(request_id)["request"] == {**event, "shipping": "zero"}
    status = app.test_client().get(f"/api/replacements/{request_id}", headers=AUTH)
    assert status.json == {"request_id": request_id, "status": "queued", "order": "#1001"}


def test_the_same_body_or_the_same_idempotency_key_is_a_duplicate(app, queued):
    first = post(app, {"order": 1001, "reason": "lost"}).json
    assert post(app, {"reason": "lost", "order": "1001"}).json == {**first, "status": "duplicate"}
    keyed = post(app, {"order": "#1001"}, headers={**AUTH, "Idempotency-Key": "incident-7"}).json
    assert keyed["request_id"] != first["request_id"]
    assert post(app, {"order": "#1001"}, headers={**AUTH, "Idempotency-Key": "incident-7"}).json["status"] == (
        "duplicate")
    assert queued.call_count == 2

    reused = post(app, {"order": "#1002"}, headers={**AUTH, "Idempotency-Key": "incident-7"})
    assert reused.status_code == 422
    assert reused.json["fields"] == {"Idempotency-Key": ["was used before with another body"]}


def test_a_batch_is_one_request_per_order_and_a_resubmission_adds_none(app, queued):
    body = {"orders": ["#1001", 1002, {"order": "gid://shopify/Order/3", "reason": "crushed"}, "#1001"],
            "reason": "pallet lost"}

    first = post(app, body)

    assert first.status_code == 202
    assert first.json["batch_id"].startswith("batch-")
    assert len(first.json["request_ids"]) == 3
    assert (first.json["queued"], first.json["duplicate"]) == (3, 0)
    reasons = [call.kwargs["args"][0]["reason"] for call in queued.call_args_list]
    assert reasons == ["pallet lost", "pallet lost", "crushed"]

    again = post(app, body)

    assert again.json == {**first.json, "queued": 0, "duplicate": 3}
    assert queued.call_count == 3
    batch = app.test_client().get(f"/api/replacements/{first.json['batch_id']}", headers=AUTH).json
    assert batch["counts"] == {"queued": 3}
    assert [r["order"] for r in batch["requests"]] == ["#1001", "1002", "gid://shopify/Order/3"]


def test_status_of_done_held_and_failed_requests(app, redis_client):
    state = State(redis_client)
    for request_id in ("done-1", "held-1", "failed-1"):
        state.create_request({"request_id": request_id, "order": "#1001", "source": "api"})
    state.update("done-1", status="done", replacement_id="gid://shopify/Order/7", replacement_name="#1002",
                 draft_id="gid://shopify/DraftOrder/1")
    held_because = "retail value 398.00 USD is above REPLACEMENT_MAX_VALUE 200"
    state.update("held-1", status="done", hold="1", draft_id="gid://shopify/DraftOrder/2", held_because=held_because)
    state.update("failed-1", status="failed", reason="out of stock: SKU IPOD2008RED (needs 1, 0 available)")
    get = app.test_client().get

    assert get("/api/replacements/done-1", headers=AUTH).json["replacement"] == {
        "id": "gid://shopify/Order/7", "name": "#1002"}
    assert get("/api/replacements/held-1", headers=AUTH).json["draft"] == {
        "id": "gid://shopify/DraftOrder/2", "held_because": held_because}
    assert get("/api/replacements/failed-1", headers=AUTH).json["reason"].startswith("out of stock: SKU IPOD2008RED")
    assert get("/api/replacements/nope", headers=AUTH).status_code == 404


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                                     {"Authorization": f"Basic {TOKEN}"}])
def test_a_missing_or_bad_token_is_401_and_nothing_is_queued(app, queued, headers):
    response = post(app, {"order": "#1001"}, headers=headers)

    assert response.status_code == 401
    assert response.json == {"status": "error", "error": "missing or bad bearer token"}
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert app.test_client().get("/api/replacements/x", headers=headers).status_code == 401
    queued.assert_not_called()


def test_without_api_token_the_api_does_not_exist(queued):
    app = create_app(make_settings(API_TOKEN=""), redis_client=fakeredis.FakeRedis())
    response = app.test_client().post("/api/replacements", json={"order": "#1001"}, headers=AUTH)
    assert response.status_code == 404
    assert response.json["error"] == "the API is not enabled: API_TOKEN is not set"


@pytest.mark.parametrize("body, fields", [
    ({}, {"order": ["give either order or orders"]}),
    ({"order": "#1001", "orders": ["#1002"]}, {"order": ["give either order or orders"]}),
    ({"order": "order one"}, {"order": [NOT_AN_ORDER]}),
    ({"order": "#1001", "lines": [{"sku": "A", "quantity": 0}]},
     {"lines[0].quantity": ["must be a whole number of at least 1"]}),
    ({"order": "#1001", "lines": [{"sku": "A", "variant_id": 1}]},
     {"lines[0]": ["must name exactly one of line_item_id, variant_id or sku"]}),
    ({"orders": ["#1001", {"order": "#1002", "lines": [{"line_item_id": "x"}]}]},
     {"orders[1].lines[0].line_item_id": ["must be a Shopify id: a number or a gid"]}),
    ({"order": "#1001", "shipping_address": {"address1": "1 Road"}},
     {"shipping_address.countryCode": ["is required"]}),
    ({"order": "#1001", "colour": "red"}, {"colour": ["Unknown field."]}),
    ({"order": "#1001", "shop": "other.myshopify.com"}, {"shop": ["is not a configured shop"]}),
    (["#1001"], {"_schema": ["must be a JSON object"]}),
])
def test_a_malformed_body_is_422_naming_the_field(app, queued, body, fields):
    response = post(app, body)

    assert response.status_code == 422
    assert response.json["fields"] == fields
    queued.assert_not_called()


def test_a_batch_over_the_limit_is_refused():
    app = create_app(make_settings(), redis_client=fakeredis.FakeRedis())
    response = post(app, {"orders": list(range(1, 1002))})
    assert response.status_code == 422
    assert response.json["fields"] == {"orders": ["Length must be between 1 and 1000."]}


@pytest.mark.parametrize("raw", [
    pytest.param(b'{"order": ' + b"[" * 450_000 + b"]" * 450_000 + b"}", id="450000-deep"),
    pytest.param(b'{"order": "#1001", "reason": "\xff"}', id="invalid-utf-8"),
    pytest.param(b'{"order": "#1001", "reason": "\\ud800"}', id="lone-surrogate"),
])
def test_a_body_that_is_not_json_is_400_even_with_the_token(app, queued, raw):
    response = app.test_client().post("/api/replacements", data=raw, headers=AUTH)
    assert (response.status_code, response.json) == (400, {"status": "error", "error": "body is not JSON"})
    queued.assert_not_called()


@pytest.mark.parametrize("quantity", ["99999999999999999999", "9" * 5000, 2**63, "2147483648"])
def test_a_quantity_no_task_can_carry_is_422(app, queued, quantity):
    """Past 64 bits the task message could not be written (500); Shopify takes a 32-bit Int."""
    response = post(app, {"order": "#1001", "lines": [{"sku": "A", "quantity": quantity}]})
    assert (response.status_code, response.json["fields"]) == (
        422, {"lines[0].quantity": ["must be at most 2147483647"]})
    text = post(app, {"order": "#1001", "lines": f"A x {quantity}"})
    assert text.json["fields"] == {"lines[0].quantity": ["must be at most 2147483647"]}
    assert post(app, {"order": "#1001", "lines": [{"sku": "A", "quantity": "0002147483647"}]}).status_code == 202


# One 41 kB call (1,000 orders sharing 1,000 lines) put a million lines in Redis (100 MB).
LINES_REFUSED = ("a call may name at most 1000 lines in all, each order counting the lines it gives or shares: "
                 "this one names {}; send it in several calls")


def test_the_lines_of_a_call_are_capped_in_all(app, queued, redis_client):
    shared = [{"sku": f"SKU-{n}"} for n in range(1000)]

    response = post(app, {"orders": [f"#{n}" for n in range(1001, 2001)], "lines": shared})

    assert (response.status_code, response.json["fields"]) == (422, {"lines": [LINES_REFUSED.format(1_000_000)]})
    queued.assert_not_called()
    assert redis_client.dbsize() == 0


@pytest.mark.parametrize("body, total", [
    ({"order": "#1001", "lines": [{"sku": "A"}] * 1001}, 1001),
    ({"orders": ["#1001", "#1002"], "lines": [{"sku": "A"}] * 501}, 1002),
    ({"orders": [{"order": "#1001", "lines": [{"sku": "A"}] * 600}, "#1002"], "lines": [{"sku": "B"}] * 401}, 1001),
])
def test_each_order_counts_the_lines_it_gives_or_shares(app, queued, body, total):
    assert post(app, body).json["fields"] == {"lines": [LINES_REFUSED.format(total)]}


def test_a_call_of_a_thousand_lines_in_all_is_taken(app, queued):
    body = {"orders": [{"order": "#1001", "lines": [{"sku": "A"}] * 600}, "#1002"], "lines": [{"sku": "B"}] * 400}
    assert post(app, body).status_code == 202


def test_a_failed_enqueue_is_503_and_leaves_no_record(app, redis_client):
    with mock.patch.object(app.extensions["intake"], "mark_and_push", side_effect=redis.ConnectionError("down")):
        response = post(app, {"order": "#1001"})
    assert response.status_code == 503
    retried = post(app, {"order": "#1001"})
    assert retried.json["status"] == "queued"


def test_a_reason_code_is_resolved_when_the_request_is_recorded(app, queued, redis_client):
    request_id = post(app, {"order": "#1001", "reason": "lost"}).json["request_id"]
    assert State(redis_client).get(request_id)["request"]["reason_code"] == "lost"


def test_without_redis_the_api_answers_503():
    server = fakeredis.FakeServer()
    app = create_app(make_settings(), redis_client=fakeredis.FakeRedis(server=server))
    server.connected = False
    assert post(app, {"order": "#1001"}).status_code == 503
    assert app.test_client().get("/api/replacements/api-1", headers=AUTH).status_code == 503
    server.connected = True
    QueuedTasks(app.extensions["intake"].client).assert_not_called()


# dry run: answered by a worker over Redis (tests/integration/test_dry_run.py), never recorded ---------

def test_a_dry_run_nobody_answers_is_a_504_saying_so_and_records_nothing(app, queued, redis_client, monkeypatch):
    monkeypatch.setattr(api, "DRY_RUN_SECONDS", 0.3)

    response = post(app, {"order": "#1001", "dry_run": True})

    assert response.status_code == 504
    assert response.json["error"] == ("no worker answered the dry run within 5 s: are the workers running (or busy "
                                      "with a long queue)? Nothing was done; try again")
    [(task, [request, reply_key, _], _)] = queued.messages()
    assert (task, request["request_id"].startswith("dry-run-")) == ("worker.tasks.dry_run", True)
    assert reply_key == f"rw:dryrun:{request['request_id'].removeprefix('dry-run-')}"
    assert [key for key in redis_client.keys("*") if key != b"celery"] == []  # a dry run counts in no burst


def test_a_dry_run_answers_with_what_the_worker_pushed(app, queued, redis_client):
    answer = b'{"decision":"complete","dry_run":true}'
    with mock.patch.object(redis_client, "blpop", return_value=(b"reply", answer)):
        response = post(app, {"order": "#1001", "dry_run": True})

    assert (response.status_code, response.data) == (200, answer)


def test_a_dry_run_takes_one_order():
    response = post(create_app(make_settings(), redis_client=fakeredis.FakeRedis()),
                    {"orders": ["#1001", "#1002"], "dry_run": True})

    assert response.status_code == 422
    assert response.json["fields"] == {"dry_run": ["a dry run takes one order, not orders"]}
