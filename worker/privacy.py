"""Shopify's compliance webhooks acted on: what the service keeps about a customer or a shop,
exported (`customers/data_request`) or erased (`customers/redact`, `shop/redact`).

What it keeps, all in Redis: request records (the order reference, the customer's email when a
helpdesk gave one, a shipping address when a request named one), their journal entries, the
admin-tag generation of each order, and dead-lettered tasks carrying a event.
Shopify keeps the orders themselves; nothing here touches them.
"""

from __future__ import annotations

import json
import logging

from core import keys
from core.store import State

log = logging.getLogger(__name__)

EXPORT_SECONDS = 30 * 24 * 3600


def concerns(request: dict, record: dict, shop: str, order_ids: set[str], email: str | None) -> bool:
    """Whether a request record is about the customer: same shop, and one of their orders or their email."""
    if request.get("shop") != shop:
        return False
    references = {str(record.get("order_id") or ""), str(request.get("order") or "")}
    if {ref.rsplit("/", 1)[-1] for ref in references if ref} & order_ids:
        return True
    return bool(email) and str(request.get("email") or "").lower() == email.lower()


def handle(state: State, event: dict) -> dict:
    outcome = ACTIONS[event["topic"]](state, event)
    log.info("compliance request handled", extra={"topic": event["topic"], "shop": event["shop"], **outcome})
    return outcome


def export_customer(state: State, event: dict) -> dict:
    key = f"{keys.PRIVACY_EXPORT}{event['shop']}:{event.get('customer_id')}:{event.get('data_request_id')}"
    return _export(state, key, _records(state, _about_customer(event)))


def redact_customer(state: State, event: dict) -> dict:
    about = _about_customer(event)
    outcome = _erase(state, event["shop"], _records(state, about), _order_ids(event), about)
    # An earlier export holds the same records: it goes too.
    outcome["exports"] = _delete_matching(state, f"{keys.PRIVACY_EXPORT}{event['shop']}:{event.get('customer_id')}:*")
    return outcome


def redact_shop(state: State, event: dict) -> dict:
    shop = event["shop"]

    def about(request: dict, record: dict) -> bool:
        return request.get("shop") == shop

    outcome = _erase(state, shop, _records(state, about), None, about)
    outcome["exports"] = _delete_matching(state, f"{keys.PRIVACY_EXPORT}{shop}:*")
    outcome["shop_keys"] = _delete_matching(state, keys.shopify_deliveries_pattern(shop), f"{keys.budget(shop)}*")
    return outcome


ACTIONS = {"customers/data_request": export_customer, "customers/redact": redact_customer,
           "shop/redact": redact_shop}


def _order_ids(event: dict) -> set[str]:
    return {str(i) for i in event.get("orders") or ()}


def _about_customer(event: dict):
    order_ids = _order_ids(event)

    def about(request: dict, record: dict) -> bool:
        return concerns(request, record, event["shop"], order_ids, event.get("email"))

    return about


def _records(state: State, about) -> dict[str, dict]:
    found = {}
    for key in state.client.scan_iter(keys.request_pattern(), count=500):
        request_id = key.decode().removeprefix(keys.request(""))
        record = state.get(request_id)
        if record and about(record["request"], record):
            found[request_id] = record
    return found


def _journal(state: State, request_ids: set[str]) -> list[tuple[bytes, dict]]:
    entries = []
    for entry_id, fields in state.client.xrange(keys.JOURNAL):
        if fields.get(b"request_id", b"").decode() in request_ids:
            entries.append((entry_id, {k.decode(): v.decode() for k, v in fields.items()}))
    return entries


def _export(state: State, key: str, found: dict[str, dict]) -> dict:
    export = {"requests": list(found.values()), "journal": [fields for _, fields in _journal(state, set(found))]}
    state.client.set(key, json.dumps(export, default=str), ex=EXPORT_SECONDS)
    return {"requests": len(found), "export_key": key}


def _erase(state: State, shop: str, found: dict[str, dict], order_ids: set[str] | None, about) -> dict:
    """Erases the records found, the generations of `order_ids` (None: every order of the shop)
    and the dead-lettered tasks about them."""
    journal_ids = [entry_id for entry_id, _ in _journal(state, set(found))]
    if journal_ids:
        state.client.xdel(keys.JOURNAL, *journal_ids)
    for request_id in found:
        state.delete_request(request_id)
        # Its outcome events still waiting to go out carry its lines and reason; the marks name it.
        _delete_matching(state, keys.events_outbox(request_id), keys.announced("*", request_id, "*"))
    order_keys = [key for key in state.client.scan_iter(keys.order_pattern(shop), count=500)
                  if order_ids is None or key.decode().rsplit(":", 1)[-1] in order_ids]
    if order_keys:
        state.client.delete(*order_keys)
    dead = [item for item in state.dead_letters() if any(
        (isinstance(arg, str) and arg in found) or (isinstance(arg, dict) and about(arg, {}))
        for arg in item.get("args") or ())]
    for item in dead:
        state.remove_dead_letter(item)
    return {"requests": len(found), "journal_entries": len(journal_ids), "orders": len(order_keys),
            "dead_letters": len(dead)}


def _delete_matching(state: State, *patterns: str) -> int:
    keys = [key for pattern in patterns for key in state.client.scan_iter(pattern, count=500)]
    if keys:
        state.client.delete(*keys)
    return len(keys)
