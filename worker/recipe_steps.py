"""The recipe's steps on the original order, sent to Shopify once each, before the replacement
is completed: restock the returned lines, refund the shipping, cancel the original.

Each step records itself in the request state. A refund's input is kept before it is sent, so a
task that died with the answer in flight sends the same input under the same idempotency key
and Shopify answers with the first refund. orderCancel has no key and is asynchronous: it answers
a job, kept in the state, that the task waits for (a later run of the task waits on); the order is
read again once the job is done, and a replacement is completed only for an original that is
really cancelled (else two parcels go out). A cancel whose answer was lost is not sent again
before its job had time to run.
"""

from __future__ import annotations

import itertools
import json
import time
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
from shopify.errors import RetryableShopifyError, ShopifyUserErrors

# How long one run waits for orderCancel's job (the task's soft limit is 40 s), polling at these steps.
JOB_WAIT_SECONDS = 10.0
JOB_POLL_STEPS = (0.25, 0.5, 1.0, 2.0)
# A cancel whose answer was lost: how long its job may still be running before it is sent again.
CANCEL_GRACE_SECONDS = 30.0


@dataclass
class RecipeSteps:
    settings: Settings
    client: ShopifyClient
    state: State
    sleep: Callable[[float], None] = time.sleep

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
        record = self.state.get(request_id)
        if record.get("original_cancelled"):
            return
        variables = cancel_variables(original, draft, request_id, self.settings.cancel_original_refund)
        job_id = record.get("cancel_job")
        if not original.get("cancelledAt"):
            if not job_id:
                job_id = self._send_cancel(request_id, original, variables, float(record.get("cancel_sent_at") or 0),
                                           lock)
            if job_id:
                self._wait_for_job(job_id, original, lock)
            if not self._read(original["id"]).get("cancelledAt"):
                replacement = draft.get("name") or draft["id"]
                raise PermanentFailure(
                    f"order {original['name']} was not cancelled: Shopify's cancel job finished without cancelling "
                    f"it, so the replacement was not completed (two parcels would go out); draft {replacement} "
                    f"stays open for a person")
        self.state.update(request_id, original_cancelled="1")
        self.state.journal(request_id, "original_cancelled", order=original["name"],
                           staff_note=variables["staffNote"], money_refunded=self.settings.cancel_original_refund)

    def _send_cancel(self, request_id: str, original: dict, variables: dict, sent_at: float,
                     lock: Lock) -> str | None:
        """orderCancel's job id; None when Shopify says the order is cancelled already."""
        if time.time() - sent_at < CANCEL_GRACE_SECONDS:
            # An earlier orderCancel's answer was lost: its job may still be running.
            raise RetryableShopifyError(f"an earlier orderCancel of {original['name']} may still be running")
        lock.extend()
        self.state.update(request_id, cancel_sent_at=time.time())
        try:
            payload = self.client.mutate(docs.ORDER_CANCEL, variables, "orderCancel")
        except ShopifyUserErrors:
            # A cancel whose answer was lost is refused as "already cancelled" on the next try.
            if not self._read(original["id"]).get("cancelledAt"):
                raise
            return None
        job_id = payload["job"]["id"]
        self.state.update(request_id, cancel_job=job_id)
        self.state.journal(request_id, "cancel_requested", order=original["name"], job=job_id)
        return job_id

    def _wait_for_job(self, job_id: str, original: dict, lock: Lock) -> None:
        """Returns once the job is done (or unknown to Shopify); a job still running when this
        run's wait is over makes the task try again later, from the job id kept in the state."""
        waited = 0.0
        for pause in itertools.chain(JOB_POLL_STEPS, itertools.repeat(JOB_POLL_STEPS[-1])):
            job = self.client.query(docs.JOB_STATUS, {"id": job_id})["job"]
            if job is None or job["done"]:
                return
            if waited + pause > JOB_WAIT_SECONDS:
                break
            lock.extend()
            self.sleep(pause)
            waited += pause
        raise RetryableShopifyError(f"the cancel job of {original['name']} ({job_id}) is not done yet")

    def _read(self, order_id: str) -> dict:
        return self.client.query(docs.ORIGINAL_FOR_RECIPE, {"id": order_id})["order"]
