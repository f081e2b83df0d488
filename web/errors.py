"""HTTP errors of the web tier, each a werkzeug HTTPException answered as JSON."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound, ServiceUnavailable, Unauthorized

from core.errors import ReplacementError


class InvalidSignature(ReplacementError, Unauthorized):
    description = "missing or bad signature"


class UnknownShop(ReplacementError, Forbidden):
    description = "shop is not configured"


class NotJSON(ReplacementError, BadRequest):
    description = "body is not JSON"


class UnknownProvider(ReplacementError, NotFound):
    description = "no such provider, or its secret is not configured"


class QueueUnavailable(ReplacementError, ServiceUnavailable):
    description = "queue unreachable, retry later"


class ValidationFailed(ReplacementError, BadRequest):
    """JSON that fails validation: 422 with the fields at fault."""

    code = 422
    description = "validation failed"

    def __init__(self, fields: dict):
        super().__init__()
        self.fields = fields


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def as_json(error: HTTPException):
        body = {"status": "error", "error": error.description or error.name}
        if isinstance(error, ValidationFailed):
            body["fields"] = error.fields
        response = jsonify(body)
        response.status_code = error.code or 500
        if isinstance(error, Unauthorized):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
