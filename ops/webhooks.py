"""Registers the webhook subscriptions of a legacy custom app, for every configured shop (or one).

    .venv/bin/python -m ops.webhooks [https://replacements.example.com/webhooks/shopify] [--shop x] [--force]

The address defaults to WEBHOOK_URL. Idempotent: it lists what exists first, creates what is
missing, updates a subscription at the same address whose filter or fields differ, and changes
nothing when all is in place. A Dev Dashboard app (SHOPIFY_CLIENT_ID) declares its subscriptions
in shopify.app.toml: registering them here too would deliver every event twice, so such a shop is
refused unless `--force`.
"""

from __future__ import annotations

import argparse
import sys

from ops.cli import chosen_shops, shopify_client
from replacements.configuration import load_settings_or_exit
from replacements.subscriptions import plan
from shopify.webhook_subscriptions import apply, listed

_DONE = {"create": "created", "update": "updated", "keep": "already in place"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.webhooks", description=__doc__.splitlines()[0])
    parser.add_argument("uri", nargs="?", help="the public address of POST /webhooks/shopify (https); "
                                               "default WEBHOOK_URL")
    parser.add_argument("--shop", help="only this shop; default every configured shop")
    parser.add_argument("--force", action="store_true",
                        help="also register for a shop connected with a client ID and secret")
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    uri = args.uri or settings.webhook_url
    if not uri:
        parser.error("give the address of POST /webhooks/shopify, or set WEBHOOK_URL")
    refused = 0
    for shop in chosen_shops(settings, args.shop):
        if shop.mints_tokens and not args.force:
            print(f"{shop.domain}: not registered: a Dev Dashboard app (SHOPIFY_CLIENT_ID) gets its subscriptions "
                  f"from shopify.app.toml (shopify app deploy); these would deliver every event twice "
                  f"(--force registers them anyway)")
            refused += 1
            continue
        client = shopify_client(settings, shop)
        steps = plan(listed(client), uri)
        apply(client, steps)
        for step in steps:
            print(f"{shop.domain} {step.topic}: {_DONE[step.action]} (fields {','.join(step.wanted.include_fields)})")
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
