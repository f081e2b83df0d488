"""`POST /admin/api/<version>/graphql.json`: the Admin API endpoint, behind the access token."""

from __future__ import annotations

import hmac
import re
import socket
import time

from flask import Blueprint, current_app, jsonify, request

from sandbox.executor import handle_call

blueprint = Blueprint("admin_api", __name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")


def _token_ok(expected: str | None, given: str | None) -> bool:
    if not given:
        return False
    return expected is None or hmac.compare_digest(expected.encode(), given.encode())


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
    if not _token_ok(store.config.token, request.headers.get("X-Shopify-Access-Token")):
        store.calls.record({"operation": None, "root_fields": [], "status": 401, "errors": ["UNAUTHORIZED"],
                            "throttled": False, "fault": None, "requested_cost": 0, "charged": 0})
        return jsonify({"errors": INVALID_TOKEN}), 401
    answer = handle_call(store, request.get_json(silent=True))
    if answer.hang is not None:
        return _drop_connection(answer.hang)
    response = jsonify(answer.body)
    response.status_code = answer.status
    response.headers.update(answer.headers)
    response.headers["X-Shopify-API-Version"] = version
    return response
