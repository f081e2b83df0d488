"""Access tokens minted by the client credentials grant: live until they expire or are revoked.

Minting does not revoke earlier tokens unless `mint_revokes_earlier` (whether Shopify does is
unconfirmed). The book outlives
`POST /_sandbox/reset`: resetting the shop's data does not uninstall the app.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time


class TokenBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self.mints = 0
        self.refused = 0

    def mint(self, lifetime: float) -> dict:
        with self._lock:
            minted_at = time.time()
            token = {"id": next(self._ids), "token": "shpat_" + secrets.token_hex(16), "minted_at": minted_at,
                     "expires_at": minted_at + lifetime, "revoked": False}
            self._tokens[token["token"]] = token
            self.mints += 1
            return dict(token)

    def refuse(self) -> None:
        with self._lock:
            self.refused += 1

    def state_of(self, value: str) -> str:
        """`live`, `expired`, `revoked` or `unknown`."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None:
                return "unknown"
            if token["revoked"]:
                return "revoked"
            return "live" if time.time() < token["expires_at"] else "expired"

    def revoke_all(self) -> int:
        with self._lock:
            live = [t for t in self._tokens.values() if not t["revoked"] and time.time() < t["expires_at"]]
            for token in live:
                token["revoked"] = True
            return len(live)

    def describe(self) -> dict:
        with self._lock:
            moment = time.time()
            live = [t for t in self._tokens.values() if not t["revoked"] and moment < t["expires_at"]]
            return {
                "mints": self.mints, "refused": self.refused, "live_count": len(live),
                "live": [{"id": t["id"], "token": t["token"], "expires_in": round(t["expires_at"] - moment, 3)}
                         for t in live],
                "revoked": sum(1 for t in self._tokens.values() if t["revoked"]),
                "expired": sum(1 for t in self._tokens.values() if not t["revoked"] and moment >= t["expires_at"]),
            }
