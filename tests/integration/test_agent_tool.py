"""The agent tool (agent/) on a real port, driven by the MCP SDK's own client over Streamable
HTTP, with real worker processes and the sandbox: the tools it lists, a preview, an idempotent
request, its status until the replacement exists, a tool error with the API's messages, and a
wrong token refused. Run with -s to see the session as the README shows it."""

from __future__ import annotations

import json
import threading

import anyio
import pytest
import requests
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import MCPError

from agent.serve import create_asgi_app
from devtools.processes import free_port, wait_until
from tests.conftest import make_settings

TOKEN = "api-token-test"  # make_settings' API_TOKEN


@pytest.fixture
def mcp_url(service_env, workers):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_asgi_app(make_settings(**service_env), "127.0.0.1"),
                                           host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, message="the MCP server to start")
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(5)


def session_with(url: str, token: str, steps):
    """Runs `steps(call)` in one client session; `call(name, **arguments)` answers the result."""
    async def run():
        async with create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http, \
                streamable_http_client(url, http_client=http) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()

            async def call(name: str, **arguments):
                result = await session.call_tool(name, arguments)
                answer = result.content[0].text
                print(f"→ {name} {json.dumps(arguments)}\n← {'error: ' if result.is_error else ''}{answer}")
                return result

            return await steps(session, call)
    return anyio.run(run)


def test_an_agent_previews_requests_once_and_follows_a_replacement(mcp_url, shop, state):
    async def steps(session, call):
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        preview = await call("preview_replacement", order="#1001", reason="lost by the carrier")
        first = await call("request_replacement", idempotency_key="ticket-4711", order="#1001",
                           reason="lost by the carrier")
        again = await call("request_replacement", idempotency_key="ticket-4711", order="#1001",
                           reason="lost by the carrier")
        request_id = first.structured_content["request_id"]
        while (status := await call("replacement_status", request_id=request_id)).structured_content["status"] \
                not in ("done", "failed"):
            await anyio.sleep(0.5)
        bad = await call("request_replacement", idempotency_key="ticket-4712", order="#1001",
                         lines=[{"sku": "IPOD2008RED", "quantity": 0}])
        unknown = await call("replacement_status", request_id="api-nosuchrequest")
        return tools, preview, first, again, status, bad, unknown

    tools, preview, first, again, status, bad, unknown = session_with(mcp_url, TOKEN, steps)

    assert sorted(tools) == ["preview_replacement", "replacement_status", "request_replacement"]
    assert "writes nothing" in tools["preview_replacement"].description
    assert "Idempotent" in tools["request_replacement"].description
    assert "idempotency_key" in tools["request_replacement"].input_schema["required"]
    assert not preview.is_error
    assert (preview.structured_content["decision"], preview.structured_content["reasons"],
            preview.structured_content["retail_value"]) == ("complete", [], "199.00")
    assert first.structured_content == {"request_id": first.structured_content["request_id"], "status": "queued"}
    assert again.structured_content == {"request_id": first.structured_content["request_id"], "status": "duplicate"}
    assert status.structured_content["status"] == "done"
    replacement = status.structured_content["replacement"]
    assert [order["name"] for order in shop.replacements()] == [replacement["name"]]
    assert state.get(first.structured_content["request_id"])["replacement_name"] == replacement["name"]
    assert bad.is_error
    assert bad.content[0].text == ("Error executing tool request_replacement: "
                                   "422 validation failed: lines[0].quantity: must be a whole number of at least 1")
    assert unknown.is_error
    assert unknown.content[0].text == "Error executing tool replacement_status: 404 no such request or batch"


def test_a_wrong_token_is_refused(mcp_url, shop):
    answer = requests.post(mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                           headers={"Authorization": "Bearer not-the-token"}, timeout=5)
    assert (answer.status_code, answer.json(), answer.headers["WWW-Authenticate"]) == (
        401, {"error": "missing or bad bearer token", "status": "error"}, "Bearer")

    async def steps(session, call):
        return await session.list_tools()

    # The SDK's client turns the 401 into an MCPError of the initialize request; nothing is listed.
    with pytest.raises(ExceptionGroup) as refused:
        session_with(mcp_url, "not-the-token", steps)
    assert refused.group_contains(MCPError, match="Server returned an error response", depth=2)
    assert shop.replacements() == []
