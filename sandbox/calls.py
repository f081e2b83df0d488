"""The log of Admin API calls, read by tests through `GET /_sandbox/calls`."""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque

MAX_ENTRIES = 100_000
# Every entry has these keys, so a reader can sum `charged` or filter on `type` without checks.
EMPTY = {
    "operation": None, "type": None, "root_fields": [], "requested_cost": 0, "actual_cost": None, "charged": 0,
    "available_before": None, "available_after": None, "throttled": False, "fault": None, "status": 200,
    "errors": [],
}


class CallLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=MAX_ENTRIES)
        self._seq = itertools.count(1)

    def record(self, entry: dict) -> dict:
        with self._lock:
            entry = {"seq": next(self._seq), "at": time.time(), **EMPTY, **entry}
            self._entries.append(entry)
            return entry

    def since(self, seq: int = 0) -> list[dict]:
        with self._lock:
            return [entry for entry in self._entries if entry["seq"] > seq]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
