"""Log lines carry the bound ids, and never a customer's data or a credential."""

import io
import json
import logging

import pytest

from worker.log_context import bind
from worker.logs import json_handler


@pytest.fixture
def lines():
    buffer = io.StringIO()
    handler, root = json_handler(buffer), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel("INFO")
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_bound_ids_reach_every_line_until_unbound(lines):
    log = logging.getLogger("worker.test")
    with bind(delivery_id="wh-1"), bind(request_id="admin-1-1"):
        log.info("shopify call", extra={"operation": "DraftOrderCreate"})
        log.info("explicit wins", extra={"request_id": "other"})
    log.info("after")
    first, second, third = lines()
    assert (first["delivery_id"], first["request_id"], first["operation"]) == ("wh-1", "admin-1-1", "DraftOrderCreate")
    assert second["request_id"] == "other"
    assert "delivery_id" not in third and "request_id" not in third


def test_fields_that_may_hold_personal_data_or_credentials_are_redacted(lines):
    logging.getLogger("worker.test").info("careless", extra={
        "shipping_address": {"address1": "Chestnut Street 92"}, "email": "bob@example.com",
        "access_token": "shpat_x", "webhook_secret": "s", "payload": {"x": 1}, "order": "#1001"})
    line, = lines()
    assert {k: line[k] for k in ("shipping_address", "email", "access_token", "webhook_secret", "payload")} == {
        "shipping_address": "[redacted]", "email": "[redacted]", "access_token": "[redacted]",
        "webhook_secret": "[redacted]", "payload": "[redacted]"}
    assert line["order"] == "#1001"


def test_a_failed_task_line_from_celery_drops_the_task_arguments(lines):
    signal = {"shop": "example.myshopify.com", "shipping_address": {"address1": "Chestnut Street 92"}}
    logging.getLogger("celery.app.trace").error("Task %(name)s[%(id)s] raised", {"name": "t", "id": "1"},
                                                extra={"data": {"name": "t", "id": "1", "args": repr([signal]),
                                                                "kwargs": "{}"}})
    line, = lines()
    assert line["data"] == {"name": "t", "id": "1"}
    assert "Chestnut" not in json.dumps(line)
