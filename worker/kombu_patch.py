"""Keeps a worker alive when Redis goes away while a task is running (kombu 5.7.0).

Measured here by restarting redis-server under a running late-ack task: kombu closes the
channel of the lost connection, then (1) tries to put the unacked message back and (2) rejects
the task Celery terminated, both through that closed channel, whose connection is None. The
AttributeError that follows is not one of kombu's connection errors, so Celery calls it
unrecoverable and the worker exits and consumes nothing more.

Raising redis' ConnectionError instead lets kombu treat it as the connection loss it is
(`reject_log_error` logs it, the consumer reconnects), and the restore is left to kombu's own
sweep: the message is still in Redis' `unacked` hash and comes back after the visibility
timeout. Nothing is lost; our tasks are idempotent anyway.
"""

from __future__ import annotations

import logging

import redis
from kombu.transport import redis as redis_transport

log = logging.getLogger(__name__)
_connparams = redis_transport.Channel._connparams
_restore_unacked = redis_transport.QoS.restore_unacked


def _connparams_of_an_open_channel(self, asynchronous=False):
    if self.connection is None or self.connection.client is None:
        raise redis.ConnectionError("the broker connection of this channel is closed")
    return _connparams(self, asynchronous)


def _restore_unacked_unless_disconnected(self, client=None):
    try:
        return _restore_unacked(self, client)
    except redis.ConnectionError:
        log.warning("broker lost: unacked messages wait for the visibility timeout to be restored")
        self._delivered.clear()


def install() -> None:
    """Called by create_celery; idempotent."""
    redis_transport.Channel._connparams = _connparams_of_an_open_channel
    redis_transport.QoS.restore_unacked = _restore_unacked_unless_disconnected
