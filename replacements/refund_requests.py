"""A refund whose note asks for the refunded units again, as an event: the one the refunds/create
webhook makes and the one reconciliation makes of a refund whose webhook was lost. Both carry
the request id `refund-<refund id>`, so a refund found both ways is one request."""

from __future__ import annotations

from replacements.planner import REFUND_SOURCE
from replacements.recipe import SERVICE_REFUND_NOTE

REASON_MAX = 500  # as web/validation.py keeps any reason


def why_ignored(note: str | None, keyword: str) -> str | None:
    """Why a refund with this note asks for nothing; None when it asks for a replacement."""
    note = (note or "").strip()
    if SERVICE_REFUND_NOTE.fullmatch(note):
        return "refund made by this service"
    if keyword.lower() not in note.lower():
        return f"refund note does not contain {keyword!r}"
    return None


def refund_event(refund_id: int, order_id: int, note: str, lines: list[tuple[int, int]]) -> dict | None:
    """`lines`: (line item id, quantity) as refunded; None when no line was (a shipping-only refund)."""
    quantities: dict[int, int] = {}
    for line_item_id, quantity in lines:
        quantities[line_item_id] = quantities.get(line_item_id, 0) + quantity
    if not quantities:
        return None
    return {"source": REFUND_SOURCE, "source_label": f"refund {refund_id}", "request_id": f"refund-{refund_id}",
            "order": f"gid://shopify/Order/{order_id}", "reason": note.strip()[:REASON_MAX],
            "lines": [{"line_item_id": line_id, "quantity": quantity} for line_id, quantity in quantities.items()]}
