"""`POST /admin/api/<version>/graphql.json`: the Admin API endpoint, behind the access token."""

from __future__ import annotations

import hmac
import re
import socket
import time

from flask import Blueprint, current_app, jsonify, request

from sandbox.executor import handle_call
from sandbox.store import Store

blueprint = Blueprint("admin_api", __name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")


def refusal_reason(store: Store, given: str | None) -> str | None:
    """Why a call with this token gets a 401 (`missing`, `unknown`, `expired`, `revoked`), or None.

    Accepted: the static `token` (a legacy custom app) or a live minted token; with neither a
    static token nor `client_id` configured, any non-empty token."""
    if not given:
        return "missing"
    config = store.config
    if config.token is None and config.client_id is None:
        return None
    if config.token is not None and hmac.compare_digest(config.token.encode(), given.encode()):
        return None
    state = store.tokens.state_of(given)
    return None if state == "live" else state


def _drop_connection(seconds: float):
    """Sleep, then close the socket without a response: the call was applied but its answer is lost."""
    time.sleep(seconds)
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        sock.shutdown(socket.SHUT_RDWR)
    return ("", 502)


@blueprint.post("/admin/api/<version>/graphql.json")
def graphql_endpoint(version: str):
    store = current_app.extensions["sandbox.store"]
    if not VERSION.match(version):
        return jsonify({"errors": "Not Found"}), 404
    reason = refusal_reason(store, request.headers.get("X-Shopify-Access-Token"))
    if reason:
        store.calls.record({"status": 401, "errors": ["UNAUTHORIZED"], "token_state": reason})
        return jsonify({"errors": INVALID_TOKEN}), 401
    answer = handle_call(store, request.get_json(silent=True))
    if answer.hang is not None:
        return _drop_connection(answer.hang)
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    response.headers["X-Shopify-API-Version"] = version
    return response
