"""The admin tag: one request per tagging of an order, a new one after the tag is re-added.

Shopify sends orders/updated for every change and the reconciliation finds tagged orders
again, so several events carry one tagging. The order's current request is kept per order;
a read of the order older than the service's own removal of the tag is not a new tagging.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from core.settings import Settings, Shop
from core.store import FINAL, State
from replacements.recipe import reason_from_trigger, ships_by_original_method, with_recipe
from replacements.records import Event, request_from
from replacements.triggers import find_trigger, triggers
from shopify.client import ShopifyClient
from worker.order_lookup import read_order

log = logging.getLogger(__name__)

STALE_READ_SECONDS = 60.0


def admin_request(settings: Settings, shop: Shop, client: ShopifyClient, state: State,
                  event: Event) -> tuple[str | None, dict | None]:
    """The request of the order's current tagging (new or already known) and the order when
    this call read it, else (None, None) for an event that is no tagging."""
    order_id = event["order"]
    legacy = order_id.rsplit("/", 1)[-1]
    with state.lock(f"order:{shop.domain}:{legacy}"):
        current, generation, release = state.current_for_order(shop.domain, legacy)
        if current and (state.get(current) or {}).get("status", "done") not in FINAL:
            return current, None
        order = read_order(client, order_id, shipping_line=ships_by_original_method(settings))
        trigger = find_trigger(order["tags"], settings.replacement_tag) if order else None
        if trigger is None:
            log.info("event ignored: trigger tag not on the order",
                     extra={"order": order_id, "source": event["source"]})
            return None, None
        if release and is_stale(order, release):
            log.info("event ignored: stale read of the order", extra={"order": order_id})
            return None, None
        request_id = f"admin-{legacy}-{generation + 1}"
        # The tags Shopify holds now are the truth about the reason.
        request = request_from(event, request_id)
        request.update(reason_from_trigger(trigger, settings.reasons),
                       trigger_tags=[t.tag for t in triggers(order["tags"], settings.replacement_tag)])
        request = with_recipe(request, settings)
        state.create_request(request)
        state.start_generation(shop.domain, legacy, request_id, generation + 1)
        state.journal(request_id, "received", source=event["source"], order=order["name"],
                      reason=request.get("reason_code"))
        return request_id, order


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def is_stale(order: dict, release: tuple[str, float]) -> bool:
    """A read older than our own removal of the trigger tag is not a new tagging. Shopify's
    updatedAt has whole seconds, so a read in the second of the release is stale too, unless
    the tag is still there a minute later: stale reads do not last that long."""
    released_at, released_wall = release
    return _instant(order["updatedAt"]) <= _instant(released_at) and time.time() - released_wall < STALE_READ_SECONDS
