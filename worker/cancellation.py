"""orders/cancelled: an original cancelled while its replacement waits as a draft for a person.
Its open replacement drafts are deleted, so nobody ships a replacement for a void order."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from core.log_context import bind
from core.store import FINAL, State
from replacements.planner import order_number
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.errors import RetryableShopifyError
from worker.order_lookup import read_order

log = logging.getLogger(__name__)


def delete_open_replacements(client: ShopifyClient, state: State, order_id: str,
                             announce: Callable[[str, str], None] | None = None) -> list[str]:
    """Deletes the replacement drafts still open for a cancelled original; returns their request ids."""
    order = read_order(client, order_id)
    if order is None or not order.get("cancelledAt"):
        log.info("cancellation ignored: the order is not cancelled", extra={"order": order_id})
        return []
    reason = f"original {order['name']} was cancelled"
    query = f"tag:replacement-for-{order_number(order)} status:open"
    deleted = []
    for draft in client.query(docs.FIND_REPLACEMENT_DRAFTS, {"query": query})["draftOrders"]["nodes"]:
        request_id = {a["key"]: a["value"] for a in draft["customAttributes"]}.get("Replacement request")
        if draft["order"] or not request_id:
            continue
        with bind(request_id=request_id), state.lock(f"request:{request_id}") as lock:
            record = state.get(request_id)
            if record and record["status"] not in FINAL:
                # It may be on its way to completion (the service may have cancelled the original itself).
                raise RetryableShopifyError(f"request {request_id} is still in progress")
            lock.extend()
            client.mutate(docs.DRAFT_ORDER_DELETE, {"input": {"id": draft["id"]}}, "draftOrderDelete")
            if record and record["status"] == "done":
                state.update(request_id, status="cancelled", reason=reason, finished_at=time.time())
            state.journal(request_id, "draft_deleted", draft=draft["id"], reason=reason)
            if announce and record and record["status"] == "done":
                announce(request_id, "cancelled")
        log.info("replacement draft deleted", extra={"request_id": request_id, "reason": reason})
        deleted.append(request_id)
    return deleted
