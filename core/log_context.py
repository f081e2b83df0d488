"""The ids that follow one request through the logs: webhook, task, Shopify call, result.

The web tier binds a `delivery_id` per HTTP request; Celery carries the bound context in a
message header to the task, which binds its `task_id`; the replacement binds its
`request_id`. Every log line then carries what is bound at that moment, so one grep
follows a request end to end.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "log_context"
_context: ContextVar[dict | None] = ContextVar(HEADER, default=None)
_task_tokens: dict[str, Token] = {}

# Field names that may carry a customer's data or a credential. Code must not log them; this
# filter is the last line of defence if it ever does.
SENSITIVE = re.compile(r"address|email|phone|token|secret|password|payload|body|authorization|hmac",
                       re.IGNORECASE)
ARGSREPR_MAX = 1024  # Celery's own argsrepr_maxsize
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _bound() -> dict:
    return _context.get() or {}


def carried_headers(args: list | tuple | None) -> dict:
    """What a task published now carries beyond Celery's own headers: the bound fields, for
    its worker's log lines, and, given its arguments, what Flower and `celery events` show of
    them (`argsrepr`), without the customer, and cut short: a message carries its arguments
    once (an 829 KB ticket made a 5.16 MB message when its repr travelled in full)."""
    headers = {HEADER: _bound()} if _bound() else {}
    if args is not None:
        shown = repr(redacted(list(args)))
        headers["argsrepr"] = shown if len(shown) <= ARGSREPR_MAX else shown[:ARGSREPR_MAX - 3] + "..."
    return headers


def push(**fields) -> Token:
    """Binds fields until `pop(token)`; for hooks that cannot wrap the work in `bind`."""
    return _context.set({**_bound(), **{k: v for k, v in fields.items() if v is not None}})


def pop(token: Token) -> None:
    _context.reset(token)


@contextmanager
def bind(**fields) -> Iterator[None]:
    token = push(**fields)
    try:
        yield
    finally:
        pop(token)


class ContextFilter(logging.Filter):
    """Adds the bound ids to every record, without overriding what the call site gave."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _bound().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key in vars(record).keys() - _STANDARD:
            if SENSITIVE.search(key):
                setattr(record, key, "[redacted]")
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            # celery.app.trace puts a failed task's arguments (a signal with an address) here.
            record.data = {k: v for k, v in data.items() if k not in ("args", "kwargs")}
        return True


def redacted(value: object) -> object:
    """The value with every field named like personal data or a credential replaced."""
    if isinstance(value, dict):
        return {k: "[redacted]" if SENSITIVE.search(str(k)) else redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    return value


@before_task_publish.connect
def _carry_context(headers: dict | None = None, body=None, **_) -> None:
    if headers is None:
        return
    args = body[0] if "argsrepr" in headers and isinstance(body, tuple | list) and body else None
    headers.update(carried_headers(args))


@task_prerun.connect
def _bind_task(task_id: str | None = None, task=None, **_) -> None:
    carried = (task.request.get(HEADER) if task is not None else None) or {}
    _task_tokens[task_id] = push(**{**carried, "task_id": task_id})


@task_postrun.connect
def _unbind_task(task_id: str | None = None, **_) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        pop(token)
