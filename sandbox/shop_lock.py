"""A shop that is unavailable for a while: every Admin API call answers 423 (locked) or 402 (frozen)."""

from __future__ import annotations

import threading
import time

LOCK_STATUSES = (402, 423)


class ShopLock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: int | None = None
        self._until: float | None = None

    def lock(self, status: int, seconds: float | None) -> None:
        """Until `seconds` pass, or until `unlock()` when None."""
        if status not in LOCK_STATUSES:
            raise ValueError(f"status must be one of {', '.join(map(str, LOCK_STATUSES))}")
        with self._lock:
            self._status = status
            self._until = None if seconds is None else time.monotonic() + float(seconds)

    def unlock(self) -> None:
        with self._lock:
            self._status = self._until = None

    def status(self) -> int | None:
        """The status every call answers now, or None when the shop is available."""
        with self._lock:
            if self._status is not None and self._until is not None and time.monotonic() >= self._until:
                self._status = self._until = None
            return self._status

    def describe(self) -> dict:
        status = self.status()
        with self._lock:
            left = None if self._until is None else round(max(0.0, self._until - time.monotonic()), 3)
            return {"status": status, "seconds_left": left}
