"""The recipe's steps on the original order, sent to Shopify once each, before the replacement
is completed: restock the returned lines, refund the shipping, cancel the original.

Each step records itself in the request state. A refund's input is kept before it is sent, so a
task that died with the answer in flight sends the same input under the same idempotency key
and Shopify answers with the first refund. orderCancel has no key: the order is read again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import PermanentFailure
from core.settings import Settings
from core.store import Lock, State
from replacements.recipe import (
    Refund,
    cancel_refusal,
    cancel_variables,
    idempotency_key,
    return_refund,
    shipping_refund,
)
from shopify import documents as docs
from shopify.client import ShopifyClient
from shopify.errors import ShopifyUserErrors


@dataclass
class RecipeSteps:
    settings: Settings
    client: ShopifyClient
    state: State

    def before_completion(self, request_id: str, order: dict, draft: dict, lock: Lock) -> None:
        """`order` is the original as ORDER_FOR_REPLACEMENT read it in this run; `draft` the replacement."""
        request = self.state.get(request_id)["request"]
        returning = bool(request.get("return"))
        refund_shipping = self.settings.refund_original_shipping
        cancel = self.settings.cancel_original
        if not (returning or refund_shipping or cancel):
            return
        original = self._read(order["id"])
        if cancel and (refusal := cancel_refusal(original)):
            raise PermanentFailure(refusal)
        if returning:
            location = self.settings.restock_location_id
            self._refund_once(request_id, "return", lambda: return_refund(order, request, location), lock)
        if refund_shipping:
            self._refund_once(request_id, "shipping", lambda: shipping_refund(original, request_id), lock)
        if cancel:
            self._cancel_once(request_id, original, draft, lock)

    def _refund_once(self, request_id: str, step: str, decide: Callable[[], Refund], lock: Lock) -> None:
        record = self.state.get(request_id)
        if record.get(f"{step}_refund"):
            return
        stored = record.get(f"{step}_refund_input")
        refund = Refund(json.loads(stored), record.get(f"{step}_refund_summary", "")) if stored else decide()
        if refund.input is None:
            self.state.update(request_id, **{f"{step}_refund": "none"})
            self.state.journal(request_id, f"{step}_refund_skipped", why=refund.summary)
            return
        if not stored:
            self.state.update(request_id, **{f"{step}_refund_input": json.dumps(refund.input),
                                             f"{step}_refund_summary": refund.summary})
        lock.extend()
        payload = self.client.mutate(docs.REFUND_CREATE, {"input": refund.input,
                                                          "key": idempotency_key(request_id, f"{step}-refund")},
                                     "refundCreate")
        refund_id = payload["refund"]["id"]
        self.state.update(request_id, **{f"{step}_refund": refund_id})
        self.state.journal(request_id, f"{step}_refunded", refund=refund_id, what=refund.summary)

    def _cancel_once(self, request_id: str, original: dict, draft: dict, lock: Lock) -> None:
        if self.state.get(request_id).get("original_cancelled"):
            return
        variables = cancel_variables(original, draft, request_id, self.settings.cancel_original_refund)
        if not original.get("cancelledAt"):
            lock.extend()
            try:
                self.client.mutate(docs.ORDER_CANCEL, variables, "orderCancel")
            except ShopifyUserErrors:
                # A cancel whose answer was lost is refused as "already cancelled" on the next try.
                if not self._read(original["id"]).get("cancelledAt"):
                    raise
        self.state.update(request_id, original_cancelled="1")
        self.state.journal(request_id, "original_cancelled", order=original["name"],
                           staff_note=variables["staffNote"], money_refunded=self.settings.cancel_original_refund)

    def _read(self, order_id: str) -> dict:
        return self.client.query(docs.ORIGINAL_FOR_RECIPE, {"id": order_id})["order"]
