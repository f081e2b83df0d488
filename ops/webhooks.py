"""Registers the webhook subscriptions the service needs, for every configured shop (or one).

    .venv/bin/python -m ops.webhooks https://replacements.example.com/webhooks/shopify [--shop x]

Idempotent: it lists what exists first, creates what is missing, updates a subscription at the
same address whose filter or fields differ, and changes nothing when all is in place.
"""

from __future__ import annotations

import argparse
import sys

from core.settings import Settings
from ops.cli import chosen_shops, shopify_client
from replacements.configuration import load_settings_or_exit
from replacements.subscriptions import Step, plan, wanted
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.pagination import all_nodes


def existing_subscriptions(client: ShopifyClient) -> list[dict]:
    return list(all_nodes(client, docs.WEBHOOK_SUBSCRIPTIONS, "webhookSubscriptions"))


def register(client: ShopifyClient, settings: Settings, uri: str) -> list[Step]:
    steps = plan(wanted(settings), existing_subscriptions(client), uri)
    for step in steps:
        subscription = step.wanted.as_input(uri)
        if step.action == "create":
            client.mutate(docs.WEBHOOK_SUBSCRIPTION_CREATE,
                          {"topic": step.wanted.topic, "webhookSubscription": subscription},
                          "webhookSubscriptionCreate")
        elif step.action == "update":
            client.mutate(docs.WEBHOOK_SUBSCRIPTION_UPDATE,
                          {"id": step.existing_id, "webhookSubscription": subscription},
                          "webhookSubscriptionUpdate")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.webhooks", description=__doc__.splitlines()[0])
    parser.add_argument("uri", help="the public address of POST /webhooks/shopify (https)")
    parser.add_argument("--shop", help="only this shop; default every configured shop")
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    shops = chosen_shops(settings, args.shop)
    for shop in shops:
        for step in register(shopify_client(settings, shop), settings, args.uri):
            detail = f"filter {step.wanted.filter!r}" if step.wanted.filter else "no filter"
            if step.wanted.include_fields:
                detail += f", fields {','.join(step.wanted.include_fields)}"
            print(f"{shop.domain} {step.wanted.topic}: {_DONE[step.action]} ({detail})")
    return 0


_DONE = {"create": "created", "update": "updated", "keep": "already in place"}


if __name__ == "__main__":
    sys.exit(main())
