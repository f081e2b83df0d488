"""Log lines carry the bound ids, and never a customer's data or a credential."""

import json
import logging

from celery import Celery

from core.log_context import bind, carried_headers


def test_bound_ids_reach_every_line_until_unbound(json_log):
    log = logging.getLogger("worker.test")
    with bind(delivery_id="wh-1"), bind(request_id="admin-1-1"):
        log.info("shopify call", extra={"operation": "DraftOrderCreate"})
        log.info("explicit wins", extra={"request_id": "other"})
    log.info("after")
    first, second, third = json_log()
    assert (first["delivery_id"], first["request_id"], first["operation"]) == ("wh-1", "admin-1-1", "DraftOrderCreate")
    assert second["request_id"] == "other"
    assert "delivery_id" not in third and "request_id" not in third


def test_fields_that_may_hold_personal_data_or_credentials_are_redacted(json_log):
    logging.getLogger("worker.test").info("careless", extra={
        "shipping_address": {"address1": "Chestnut Street 92"}, "email": "bob@example.com",
        "access_token": "shpat_x", "webhook_secret": "s", "payload": {"x": 1}, "order": "#1001"})
    line, = json_log()
    assert {k: line[k] for k in ("shipping_address", "email", "access_token", "webhook_secret", "payload")} == {
        "shipping_address": "[redacted]", "email": "[redacted]", "access_token": "[redacted]",
        "webhook_secret": "[redacted]", "payload": "[redacted]"}
    assert line["order"] == "#1001"


def test_a_failed_task_line_from_celery_drops_the_task_arguments(json_log):
    event = {"shop": "example.myshopify.com", "shipping_address": {"address1": "Chestnut Street 92"}}
    logging.getLogger("celery.app.trace").error("Task %(name)s[%(id)s] raised", {"name": "t", "id": "1"},
                                                extra={"data": {"name": "t", "id": "1", "args": repr([event]),
                                                                "kwargs": "{}"}})
    line, = json_log()
    assert line["data"] == {"name": "t", "id": "1"}
    assert "Chestnut" not in json.dumps(line)


def test_what_monitors_see_of_a_task_has_no_customer_data_and_carries_the_context():
    app = Celery("t", broker="memory://")
    event = {"shop": "example.myshopify.com", "order": "#1001", "email": "bob@example.com",
              "shipping_address": {"address1": "Chestnut Street 92"}}
    with bind(delivery_id="wh-9"):
        app.send_task("worker.tasks.handle_event", args=[event])
    with app.connection() as connection:
        message = connection.SimpleQueue("celery").get(timeout=1)
    assert message.headers["argsrepr"] == repr([{"shop": "example.myshopify.com", "order": "#1001",
                                                 "email": "[redacted]", "shipping_address": "[redacted]"}])
    assert message.headers["log_context"] == {"delivery_id": "wh-9"}
    assert message.payload[0] == [event]


def test_a_task_message_carries_its_arguments_once_its_repr_cut_short():
    event = {"shop": "example.myshopify.com", "source": "helpdesk", "reason": "x" * 100_000}
    shown = carried_headers([event])["argsrepr"]
    assert len(shown) == 1024 and shown.endswith("...")
    assert carried_headers([{"order": "#1001"}])["argsrepr"] == "[{'order': '#1001'}]"
