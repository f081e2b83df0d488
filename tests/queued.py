"""The tasks a web app put on its (fake) Redis queue, decoded from the list itself and replayed
into a mock of `send_task(name, args=...)`, so a test asserts on what a worker would receive."""

from __future__ import annotations

import base64
import json
from unittest import mock

from core.keys import QUEUE_LISTS


def decode(raw: bytes) -> tuple[str, list, dict]:
    """(task name, args, headers) of one Celery protocol-2 message as it lies in Redis."""
    message = json.loads(raw)
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return message["headers"]["task"], args, message["headers"]


class QueuedTasks:
    def __init__(self, client):
        self.client = client

    def messages(self) -> list[tuple[str, list, dict]]:
        # Each priority's list in the order workers take them; LPUSH: a list's oldest is last.
        return [decode(raw) for name in QUEUE_LISTS for raw in reversed(self.client.lrange(name, 0, -1))]

    def __getattr__(self, name: str):
        calls = mock.Mock()
        for task, args, _headers in self.messages():
            calls(task, args=args)
        return getattr(calls, name)
