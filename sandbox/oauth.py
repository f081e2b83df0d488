"""`POST /admin/oauth/access_token`: the client credentials grant of a Dev Dashboard app.

Form-encoded (JSON accepted too): `grant_type=client_credentials`, `client_id`, `client_secret`.
Shopify answers a refusal as an HTML page unless the request accepts JSON (reported by
PostHog/posthog#86474); the sandbox does the same, with `Oauth error <code>: <description>` in it.
"""

from __future__ import annotations

import hmac
import time
from html import escape

from flask import Blueprint, current_app, jsonify, request
from werkzeug.http import HTTP_STATUS_CODES

from sandbox.store import Store

blueprint = Blueprint("oauth", __name__)
OPERATION = "oauth/access_token"

# Shopify's wording where it is known (shop_not_permitted); the others are the sandbox's.
DESCRIPTIONS = {
    "invalid_request": "Missing parameter: grant_type, client_id and client_secret are required.",
    "unsupported_grant_type": "The authorization grant type is not supported by the authorization server.",
    "invalid_client": "Client authentication failed: unknown client_id or wrong client_secret.",
    "app_not_installed": "The app is not installed on this shop.",
    "shop_not_permitted": "Client credentials cannot be performed on this shop.",
}


def _same(expected: str | None, given: str) -> bool:
    return expected is not None and hmac.compare_digest(expected.encode(), given.encode())


def refusal(store: Store, params: dict) -> str | None:
    """The OAuth error code this request gets, or None when a token is minted."""
    config = store.config
    if not all(params.get(key) for key in ("grant_type", "client_id", "client_secret")):
        return "invalid_request"
    if params["grant_type"] != "client_credentials":
        return "unsupported_grant_type"
    if not (_same(config.client_id, params["client_id"]) and _same(config.client_secret, params["client_secret"])):
        return "invalid_client"
    if config.refuse_mint:
        return config.refuse_mint if isinstance(config.refuse_mint, str) else "app_not_installed"
    return None


def _error_response(code: str, status: int = 400):
    description = DESCRIPTIONS.get(code, "The request was refused.")
    if "application/json" in request.headers.get("Accept", ""):
        return jsonify({"error": code, "error_description": description}), status
    page = f"<html><body><h1>Oauth error {escape(code)}: {escape(description)}</h1></body></html>"
    return page, status, {"Content-Type": "text/html; charset=utf-8"}


@blueprint.post("/admin/oauth/access_token")
def access_token():
    store: Store = current_app.extensions["sandbox.store"]
    started = time.monotonic()
    log = {"operation": OPERATION, "type": "oauth"}
    rule = store.faults.match([OPERATION], admin=False)
    if rule:
        log["fault"] = rule.action
        if rule.action == "delay":
            time.sleep(rule.seconds)
        elif rule.action == "fail":
            store.calls.record({**log, "status": rule.status, "errors": [HTTP_STATUS_CODES[rule.status]]})
            return jsonify({"errors": HTTP_STATUS_CODES[rule.status]}), rule.status
    params = request.form.to_dict() or request.get_json(silent=True) or {}
    code = refusal(store, params if isinstance(params, dict) else {})
    duration = {"duration_ms": round((time.monotonic() - started) * 1000, 1)}
    if code:
        store.tokens.refuse()
        store.calls.record({**log, **duration, "status": 400, "errors": [code]})
        return _error_response(code)
    lifetime = store.config.token_lifetime
    if store.config.mint_revokes_earlier:
        store.tokens.revoke_all()
    token = store.tokens.mint(lifetime)
    store.calls.record({**log, **duration, "status": 200, "token_id": token["id"]})
    return jsonify({"access_token": token["token"], "scope": ",".join(store.config.scopes),
                    "expires_in": int(lifetime)})
