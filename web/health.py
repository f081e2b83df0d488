"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blueprint.get("/readyz")
def readyz():
    if current_app.extensions["intake"].ready():
        return jsonify(status="ready")
    response = jsonify(status="unavailable", reason="broker unreachable")
    response.status_code = 503
    return response
