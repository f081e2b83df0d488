"""Every name the processes must agree on: Redis keys, the Celery queue and the task names.

The web tier pushes task messages itself and the worker consumes them; the store, the budget,
the metrics and the privacy erasure all read and write the same keys. One place, so none of
them can drift apart.
"""

from __future__ import annotations

PREFIX = "rw:"
QUEUE = "celery"
# A shop's tasks past its burst allowance, and tasks waiting for their shop's API budget, wait in
# the queue's lowest-priority list (kombu's Redis transport: `<queue>\x06\x16<priority>`, 0 first).
LOW_PRIORITY = 9


def priority_list(queue: str, priority: int) -> str:
    return f"{queue}\x06\x16{priority}" if priority else queue


QUEUE_LISTS = tuple(priority_list(QUEUE, priority) for priority in (0, 3, 6, 9))  # kombu's priority steps

# Task names, as the web tier writes them into its messages and the worker registers them.
HANDLE_EVENT = "worker.tasks.handle_event"
PROCESS_REQUEST = "worker.tasks.process_request"
HANDLE_CANCELLED = "worker.tasks.handle_cancelled"
HANDLE_COMPLIANCE = "worker.tasks.handle_compliance"
RECONCILE = "worker.tasks.reconcile"
REGISTER_WEBHOOKS = "worker.tasks.register_webhooks"
DELIVER_TICKET_NOTE = "worker.tasks.deliver_ticket_note"
DELIVER_EVENTS = "worker.tasks.deliver_events"
DRY_RUN = "worker.tasks.dry_run"

OPEN_REQUESTS = f"{PREFIX}open"
JOURNAL = f"{PREFIX}journal"
DEAD_LETTERS = f"{PREFIX}deadletter"
METRICS = f"{PREFIX}metrics:"
SEEN = f"{PREFIX}seen:"
BUDGET = f"{PREFIX}budget:"
PRIVACY_EXPORT = f"{PREFIX}privacy:export:"
TOKEN = f"{PREFIX}token:"
READY_PROBE = f"{PREFIX}ready"


def burst(shop: str) -> str:
    return f"{PREFIX}burst:{shop}"


def request(request_id: str) -> str:
    return f"{PREFIX}req:{request_id}"


def request_pattern() -> str:
    return f"{PREFIX}req:*"


def order(shop: str, order_id: str) -> str:
    return f"{PREFIX}order:{shop}:{order_id}"


def order_pattern(shop: str) -> str:
    return f"{PREFIX}order:{shop}:*"


def batch(batch_id: str) -> str:
    return f"{PREFIX}batch:{batch_id}"


def lock(name: str) -> str:
    return f"{PREFIX}lock:{name}"


def seen(delivery_key: str) -> str:
    return f"{SEEN}{delivery_key}"


def shopify_body(shop: str, topic: str, digest: str) -> str:
    """The delivery key (a mark under `seen`, as long as the delivery marks) of a Shopify body by its
    SHA-256: Shopify signs the body but not the ids, so a body sent again under new ids is a duplicate.
    Outside `shopify_deliveries_pattern`: a shop/redact leaves it to expire, and its own body sent
    again stays a duplicate."""
    return f"shopify-body:{shop}:{topic}:{digest}"


def shopify_deliveries_pattern(shop: str) -> str:
    """The dedupe marks of one shop's Shopify deliveries (web/shopify_webhooks.py keys them `shopify:<shop>:...`)."""
    return f"{SEEN}shopify:{shop}:*"


def budget(shop: str) -> str:
    return f"{BUDGET}{shop}"


def token(shop: str) -> str:
    return f"{TOKEN}{shop}"


def paused(shop: str) -> str:
    """Why the shop's work waits, while it does (set by the worker, read by the doctor)."""
    return f"{PREFIX}paused:{shop}"


def reconciled(shop: str) -> str:
    """When reconciliation last read the shop's refunds (the next run reads from there)."""
    return f"{PREFIX}reconciled:{shop}"


def announced(what: str, request_id: str, outcome: str) -> str:
    """The mark that `what` (note, event) of a request's outcome is queued (then sent or failed):
    set before its task is, so a task that runs twice announces once."""
    return f"{PREFIX}announced:{what}:{request_id}:{outcome}"


def events_outbox(request_id: str) -> str:
    """The request's outcome events not delivered yet, oldest first (sent in order, one at a time)."""
    return f"{PREFIX}outbox:{request_id}"


def breaker_window(shop: str) -> str:
    """The shop's replacements admitted by the circuit breaker in the last 24 hours: a sorted set
    of `<value in thousandths>:<request id>` scored by the admission's time in milliseconds."""
    return f"{PREFIX}breaker:window:{shop}"


def breaker_decision(request_id: str) -> str:
    """What the circuit breaker answered a request (`admitted`, `count:<n>`, `value:<thousandths>`),
    so that a task that runs twice is counted once and answered the same."""
    return f"{PREFIX}breaker:decision:{request_id}"


def dry_run_reply(preview_id: str) -> str:
    """Where a worker pushes the answer of a dry run the web tier waits for (BLPOP); short-lived."""
    return f"{PREFIX}dryrun:{preview_id}"
