"""`python -m sandbox --port 8765 [--plan standard] [--token T | --client-id ID --client-secret S]
[--webhook-url URL --webhook-secret S]`"""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from sandbox.config import PLANS
from sandbox.schema import admin_schema
from sandbox.server import QuietRequestHandler, create_app
from sandbox.store import Store


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="A local Shopify store (Admin API 2026-04).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--plan", choices=sorted(PLANS), default="standard")
    parser.add_argument("--token", help="a static access token (a legacy custom app); with neither this nor "
                                         "--client-id, any non-empty token is accepted")
    parser.add_argument("--client-id", help="turns on the client credentials grant at /admin/oauth/access_token")
    parser.add_argument("--client-secret", help="the secret the grant wants with --client-id")
    parser.add_argument("--token-lifetime", type=float, default=86399, help="seconds a minted token lives")
    parser.add_argument("--webhook-url", help="where to POST orders/updated and refunds/create webhooks")
    parser.add_argument("--webhook-secret", default="sandbox-webhook-secret", help="key for X-Shopify-Hmac-Sha256")
    parser.add_argument("--draft-ready-delay", type=float, default=0.2, help="seconds before a new draft is ready")
    parser.add_argument("--throttle-status", type=int, choices=(200, 429), default=200)
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    args = parser.parse_args(argv)

    store = Store(
        plan=args.plan, token=args.token, client_id=args.client_id, client_secret=args.client_secret,
        token_lifetime=args.token_lifetime, webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
        draft_ready_delay=args.draft_ready_delay, throttle_status=args.throttle_status,
    )
    admin_schema()
    kwargs = {"request_handler": QuietRequestHandler} if args.quiet else {}
    server = make_server(args.host, args.port, create_app(store), threaded=True, **kwargs)
    print(f"Shopify sandbox for {store.shop['domain']} on http://{args.host}:{server.port}"
          f" (Admin API: /admin/api/2026-04/graphql.json, controls: /_sandbox/)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
