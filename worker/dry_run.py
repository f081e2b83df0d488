"""What the service would do for a request, computed as the state machine does (the same order
lookup, planner, policy and circuit breaker, on live Shopify data) but writing nothing: no
request record, no count, no Shopify write. The answer goes back to the web tier through Redis."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import redis

from core.errors import PermanentFailure
from core.settings import Settings
from replacements.planner import Plan, plan_replacement
from shopify.client import ShopifyClient
from worker import circuit_breaker, policy_facts
from worker.order_lookup import not_found_reason, read_order, resolve_order

# Added to a price, it shows at least two decimals, as the retail value does (199.0 -> 199.00).
ZERO = Decimal("0.00")


def preview(settings: Settings, client: ShopifyClient, redis_client: redis.Redis, request: dict) -> dict:
    """`decision`: `complete`, `hold` or `fail`, with its `reasons`, the lines, value and shipping line."""
    now = datetime.now(UTC)
    try:
        order = read_order(client, resolve_order(client, request), shipping_line=request.get("shipping") == "original")
        if order is None:
            raise PermanentFailure(not_found_reason(client, request.get("order")))
        plan = plan_replacement(order, request)
        facts = policy_facts.gather(client, settings, order, plan, now)
        verdict, _ = circuit_breaker.reviewed(redis_client, settings, request["shop"], request["request_id"],
                                              plan, now, facts, look_only=True)
    except PermanentFailure as failure:
        return {"dry_run": True, "decision": "fail", "reasons": [str(failure)], "order": request.get("order")}
    if verdict.hold:
        plan = plan_replacement(order, request, extra_tags=verdict.tags, reserve_until=verdict.reserve_until,
                                held_because=verdict.reasons)
    return {"dry_run": True, "decision": "hold" if verdict.hold else "complete", "reasons": list(verdict.reasons),
            "order": order["name"], **_described(plan)}


def _described(plan: Plan) -> dict:
    shipping = plan.draft_input.get("shippingLine")
    return {
        "lines": [{"sku": line.sku, "title": line.title, "variant_id": line.variant_id, "quantity": line.quantity,
                   "unit_price": str(line.unit_price + ZERO)} for line in plan.lines],
        "retail_value": str(plan.retail_value),
        "currency": plan.currency,
        "shipping_line": shipping and {"title": shipping["title"],
                                       "price": shipping["priceWithCurrency"]["amount"]},
        "tags": plan.draft_input["tags"],
    }
