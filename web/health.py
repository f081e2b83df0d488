"""Liveness and readiness."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify

from core import keys

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    """Ready when Redis takes a write: a full Redis (noeviction) still answers PING but refuses
    every delivery, and a balancer should send none here meanwhile."""
    try:
        current_app.extensions["intake"].client.set(keys.READY_PROBE, 1, ex=60)
    except redis.RedisError as error:
        reason = "broker refuses writes" if isinstance(error, redis.ResponseError) else "broker unreachable"
        response = jsonify(status="unavailable", reason=reason)
        response.status_code = 503
        return response
    return jsonify(status="ready")
