"""`preview_replacement`, `request_replacement` and `replacement_status`: the API's three answers
as MCP tools, for the AI agents in helpdesks.

Each tool calls the API's own view functions in-process (the Flask app `web.create_app` builds,
through its test client), so an agent meets exactly the API's validation, idempotency, policy and
circuit breaker, with no second copy of them and no URL of the web tier to configure. An answer of
the API's at or above 400 becomes a tool error carrying the API's own message and field messages.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from flask import Flask
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

Order = Annotated[str, Field(description="The order: its name as the merchant writes it (#1001, 1001, "
                                         "EN1001), its id or its gid.")]
Lines = Annotated[list[dict[str, Any]] | None, Field(
    description='Lines to replace, each {"sku" | "variant_id" | "line_item_id": ..., "quantity": n}; '
                "none: every shippable line of the order.")]
Reason = Annotated[str | None, Field(description="Why, in a few words (the ticket's reason); it goes in the note.")]
Address = Annotated[dict[str, Any] | None, Field(
    description="Where to ship instead of the order's address: Shopify MailingAddressInput keys "
                "(address1 and countryCode required).")]
Shop = Annotated[str | None, Field(description="The shop's myshopify domain, with several shops; none: the first.")]

PREVIEW = """Tells what the service would do for a replacement of this order, computed on live Shopify
data with the same planner, policy and circuit breaker as a real request, and writes nothing
anywhere (no request, no draft, no order, no count). Answers `decision` (complete: it would be
created and completed at zero cost; hold: a draft left for a person; fail: nothing could be
made), `reasons` (why held or failed), the `lines` with quantities and unit prices, the
`retail_value` and `currency`, and the `shipping_line`. Use it before request_replacement."""

REQUEST = """Asks for a zero-cost replacement order of this order, as the API's POST /api/replacements
does. Idempotent by `idempotency_key`: calling again with the same key and the same arguments
makes nothing twice and answers the same `request_id` with status `duplicate`; the same key with
other arguments is refused. Use one key per replacement you mean (the ticket id, say). Policy
(value cap, per-customer limit, stock) and the store's circuit breaker apply: a request may end
held as a draft for review. Answers `request_id` and `status` (queued or duplicate); follow it with
replacement_status."""

STATUS = """Tells where a replacement request stands, by the `request_id` request_replacement answered
(or any request or batch id of the service). `status`: queued, then creating, draft_created,
completing, completed; at the end done (with `replacement`: the new order's id and name, or
`draft` with `held_because` when held for review), failed or cancelled (with `reason`). Reads only."""


def create_server(app: Flask) -> MCPServer:
    """The MCP server over `app`, the web tier's Flask app: every tool is one call of its API."""
    server = MCPServer("replacements", instructions="Zero-cost Shopify replacement orders: preview one, "
                                                    "request it idempotently, and follow its status.")
    token = app.config["SETTINGS"].api_token

    def api(method: str, path: str, body: dict | None = None, idempotency_key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        response = app.test_client().open(path, method=method, json=body, headers=headers)
        if response.status_code >= 400:
            raise ToolError(_error_message(response.status_code, response.get_json(silent=True) or {}))
        return response.get_json()

    async def call(*args, **kwargs) -> dict:
        # The API's Redis calls block (a dry run waits up to 5 s for a worker): off the event loop.
        return await anyio.to_thread.run_sync(lambda: api(*args, **kwargs))

    @server.tool(description=PREVIEW)
    async def preview_replacement(order: Order, lines: Lines = None, reason: Reason = None,
                                  shipping_address: Address = None, shop: Shop = None) -> dict[str, Any]:
        body = _body(order=order, lines=lines, reason=reason, shipping_address=shipping_address, shop=shop)
        return await call("POST", "/api/replacements", {**body, "dry_run": True})

    @server.tool(description=REQUEST)
    async def request_replacement(
            idempotency_key: Annotated[str, Field(min_length=1, description="Your key for this replacement: "
                                                  "the same key again is the same request.")],
            order: Order, lines: Lines = None, reason: Reason = None, shipping_address: Address = None,
            shop: Shop = None) -> dict[str, Any]:
        body = _body(order=order, lines=lines, reason=reason, shipping_address=shipping_address, shop=shop)
        return await call("POST", "/api/replacements", body, idempotency_key=idempotency_key)

    @server.tool(description=STATUS)
    async def replacement_status(
            request_id: Annotated[str, Field(description="The request_id request_replacement answered.")],
    ) -> dict[str, Any]:
        return await call("GET", f"/api/replacements/{request_id}")

    return server


def _body(**arguments) -> dict:
    return {name: value for name, value in arguments.items() if value is not None}


def _error_message(status: int, body: dict) -> str:
    """`422 validation failed: lines[0].quantity: must be a whole number of at least 1`."""
    message = f"{status} {body.get('error', 'error')}"
    fields = body.get("fields") or {}
    if fields:
        message += ": " + "; ".join(f"{name}: {' '.join(map(str, messages))}" for name, messages in fields.items())
    return message
