"""The intake pushes a Celery message it builds itself (web/task_message.py). It must be the
message Celery's own `send_task` puts on a Redis broker, but for the ids; the end-to-end tests
have real workers run it, and test_observability checks the delivery id it carries."""

import base64
import json

import redis
from celery import Celery

from core.keys import QUEUE
from core.log_context import bind
from tests.conftest import make_settings
from web.task_message import task_message
from worker.app import celery_config

# Different in every message by design: ids, the sending process, kombu's delivery tag.
VOLATILE = {"headers": ("id", "root_id", "origin"), "properties": ("correlation_id", "delivery_tag", "reply_to")}


def comparable(raw: bytes) -> dict:
    message = json.loads(raw)
    assert message["headers"]["id"] == message["headers"]["root_id"] == message["properties"]["correlation_id"]
    for part, names in VOLATILE.items():
        for name in names:
            message[part].pop(name)
    message["body"] = json.loads(base64.b64decode(message["body"]))
    return message


def test_the_intake_message_is_the_one_celery_sends(redis_server, service_env):
    url = f"redis://127.0.0.1:{redis_server.port}/7"  # a database no worker consumes
    client = redis.Redis.from_url(url)
    client.delete(QUEUE)
    celery = Celery("compare")
    celery.conf.update(celery_config(make_settings(**{**service_env, "REDIS_URL": url}), publisher=True))
    event = {"shop": "example.myshopify.com", "source": "admin_tag", "order": "gid://shopify/Order/450789469",
              "email": "bob@example.com", "lines": [{"line_item_id": 1, "quantity": 2}]}

    with bind(delivery_id="wh-message-1"):
        celery.send_task("worker.tasks.handle_event", args=[event])
        client.lpush(QUEUE, task_message("worker.tasks.handle_event", [event], QUEUE))

    ours, celerys = client.lrange(QUEUE, 0, -1)  # LPUSH: newest first
    assert comparable(ours) == comparable(celerys)
    assert comparable(ours)["headers"]["log_context"] == {"delivery_id": "wh-message-1"}
    assert "bob@example.com" not in comparable(ours)["headers"]["argsrepr"]
    client.delete(QUEUE)
