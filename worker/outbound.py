"""What the write-back to tickets and the events out share: one HTTP attempt with a timeout,
which failures are worth another attempt, and when that attempt comes.

Neither ever blocks a replacement: each runs in its own task, after the outcome, and an attempt
that fails comes back later (countdowns below the broker's visibility timeout, see worker/app.py)
until `GIVE_UP_AFTER`, when it is journaled and counted as failed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import requests

TIMEOUT = (3.05, 10)
GIVE_UP_AFTER = 24 * 3600.0
# The next attempt comes after half the time already spent trying, between these: 2, 3, 4.5,
# 6.75 s ... then every minute. A countdown must stay below the visibility timeout (75 s).
FIRST_WAIT, LONGEST_WAIT = 2.0, 60.0
RETRYABLE_STATUSES = frozenset({408, 409, 423, 425, 429})


class TryLater(Exception):
    """The attempt failed in a way another one may not: come back in `seconds`."""

    def __init__(self, seconds: float, why: str):
        super().__init__(why)
        self.seconds = seconds


@dataclass(frozen=True)
class Attempt:
    """How one HTTP attempt ended: `status` (None: no answer) and what to log of it."""

    status: int | None
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """No answer, a timeout, a conflict, a rate limit or a server error; other 4xx never pass."""
        return self.status is None or self.status in RETRYABLE_STATUSES or self.status >= 500

    def describe(self) -> str:
        return f"HTTP {self.status}: {self.error}" if self.status is not None else self.error


def attempt(session: requests.Session, method: str, url: str, **kwargs) -> Attempt:
    try:
        response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
    except requests.RequestException as error:
        return Attempt(None, f"{type(error).__name__}: {error}"[:300])
    if 200 <= response.status_code < 300:
        return Attempt(response.status_code)
    return Attempt(response.status_code, response.text[:300], _seconds(response.headers.get("Retry-After")))


def next_wait(first_tried_at: float, retry_after: float | None = None) -> float | None:
    """Seconds until the next attempt, or None when it is time to give up."""
    spent = max(0.0, now() - first_tried_at)
    if spent >= GIVE_UP_AFTER:
        return None
    wait = min(LONGEST_WAIT, max(FIRST_WAIT, spent / 2, retry_after or 0.0))
    return wait * jitter()


def now() -> float:
    return time.time()


def jitter() -> float:
    """Spreads the attempts of many outcomes failing at once; its own function so tests pin it."""
    return random.uniform(0.75, 1.0)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff alone decides
