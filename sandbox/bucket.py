"""Shopify's leaky bucket for GraphQL query cost, one per shop."""

from __future__ import annotations

import threading
import time


class LeakyBucket:
    def __init__(self, size: float, restore_rate: float, clock=time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.configure(size, restore_rate)

    def configure(self, size: float, restore_rate: float) -> None:
        with self._lock:
            self.size = size
            self.restore_rate = restore_rate
            self._level = size
            self._at = self._clock()

    def _leak(self) -> float:
        now = self._clock()
        self._level = min(self.size, self._level + (now - self._at) * self.restore_rate)
        self._at = now
        return self._level

    def available(self) -> float:
        with self._lock:
            return self._leak()

    def try_charge(self, cost: float) -> tuple[bool, float]:
        """Take `cost` points if that many are available; returns (charged, points available before)."""
        with self._lock:
            before = self._leak()
            if cost > before:
                return False, before
            self._level -= cost
            return True, before

    def refund(self, points: float) -> None:
        with self._lock:
            self._leak()
            self._level = min(self.size, self._level + points)

    def status(self) -> dict:
        with self._lock:
            return {
                "maximumAvailable": float(self.size),
                "currentlyAvailable": int(self._leak()),
                "restoreRate": float(self.restore_rate),
            }
