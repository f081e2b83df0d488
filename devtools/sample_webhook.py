"""Sends a signed `orders/updated` webhook for order #1001 tagged `needs-replacement`, as
Shopify would after a merchant tags the order in admin. Used by the README's demo.

    .venv/bin/python -m devtools.sample_webhook [--url http://127.0.0.1:8000] [--sandbox http://127.0.0.1:8765]
"""

from __future__ import annotations

import argparse
import json
import os
import uuid

import requests

from devtools.serve import DEFAULT_SANDBOX_PORT
from devtools.webhook_payloads import SECRET, shopify_headers

ORDER_ID = 450789469


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--sandbox", default=f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', DEFAULT_SANDBOX_PORT)}")
    parser.add_argument("--tag", default=os.environ.get("REPLACEMENT_TAG", "needs-replacement"))
    parser.add_argument("--secret", default=SECRET, help="the webhook secret bin/serve gives the sandbox store")
    args = parser.parse_args()

    requests.post(f"{args.sandbox}/_sandbox/orders/{ORDER_ID}/tags", json={"add": [args.tag]},
                  timeout=5).raise_for_status()
    order = requests.get(f"{args.sandbox}/_sandbox/orders/{ORDER_ID}/rest", timeout=5).json()
    body = json.dumps(order).encode()
    response = requests.post(f"{args.url}/webhooks/shopify", data=body, timeout=5, headers=shopify_headers(
        body, webhook_id=str(uuid.uuid4()), event_id=str(uuid.uuid4()), secret=args.secret))
    print(response.status_code, response.text.strip())


if __name__ == "__main__":
    main()
