"""Signature checks on raw request bytes, constant-time, any of several secrets (rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def hmac_digest(secret: str | bytes, message: bytes, algorithm=hashlib.sha256) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, algorithm).digest()


def matches_any(secrets: Iterable[str | bytes], message: bytes, signature: str | None,
                encode=lambda digest: base64.b64encode(digest).decode(), algorithm=hashlib.sha256) -> bool:
    """True when `signature` equals encode(HMAC(secret, message)) for any secret."""
    if not signature:
        return False
    given = signature.strip().encode()
    found = False
    for secret in secrets:
        expected = encode(hmac_digest(secret, message, algorithm)).encode()
        found |= hmac.compare_digest(expected, given)
    return found


def hex_digest(digest: bytes) -> str:
    return digest.hex()


def equals_any(secrets: Iterable[str], given: str | None) -> bool:
    """Constant-time comparison of a shared token (helpdesks that do not sign)."""
    if not given:
        return False
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(secret.encode(), given.strip().encode())
    return found
