"""`/_sandbox/*`: what a merchant or a test does to the shop outside the Admin API. No token needed."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from sandbox import orders, products, refunds, rest, seed, state
from sandbox.config import ConfigError
from sandbox.dates import now
from sandbox.faults import FaultRuleError
from sandbox.ids import gid
from sandbox.inventory import stocking_location
from sandbox.store import Store

blueprint = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")
MAX_BULK = 10_000


def _store() -> Store:
    return current_app.extensions["sandbox.store"]


def _body() -> dict | list:
    body = request.get_json(silent=True)
    return {} if body is None else body


def _problem(message: str, status: int = 422):
    return jsonify({"error": message}), status


def _order_or_404(store: Store, order_id: int) -> dict | None:
    return store.orders.get(order_id)


@blueprint.post("/reset")
def reset():
    _store().reset()
    return jsonify({"ok": True})


@blueprint.get("/state")
def get_state():
    return jsonify(state.snapshot(_store()))


@blueprint.post("/orders")
def create_orders():
    """`{"count": 500, "tags": [...]}` copies the seed order; `{"orders": [spec, ...]}` or one spec makes those."""
    store = _store()
    body = _body()
    if not isinstance(body, dict):
        return _problem("the body must be a JSON object")
    if "orders" in body:
        specs = body["orders"]
    elif "line_items" in body:
        specs = [body]
    else:
        extra = {key: value for key, value in body.items() if key != "count"}
        count = body.get("count", 1)
        if not isinstance(count, int) or not 1 <= count <= MAX_BULK:
            return _problem(f"count must be an integer from 1 to {MAX_BULK}")
        specs = [orders.seed_like_spec(extra)] * count
    try:
        with store.lock:
            created = [orders.create_from_spec(store, spec) for spec in specs]
    except orders.OrderSpecError as error:
        return _problem(str(error))
    return jsonify({"orders": [{"id": o["id"], "gid": gid("Order", o["id"]), "name": o["name"]} for o in created]}), 201


@blueprint.post("/orders/<int:order_id>/tags")
def change_order_tags(order_id: int):
    store = _store()
    body = _body()
    with store.lock:
        order = _order_or_404(store, order_id)
        if order is None:
            return _problem(f"no order {order_id}", 404)
        orders.change_tags(store, order, add=body.get("add", []), remove=body.get("remove", []))
        return jsonify({"tags": order["tags"]})


@blueprint.get("/orders/<int:order_id>/rest")
def order_as_rest(order_id: int):
    store = _store()
    with store.lock:
        order = _order_or_404(store, order_id)
        if order is None:
            return _problem(f"no order {order_id}", 404)
        return jsonify(rest.render_order(store, order))


@blueprint.post("/orders/<int:order_id>/refunds")
def merchant_refund(order_id: int):
    """A refund made in admin: `{"note": "...", "line_items": [{"line_item_id": 1, "quantity": 1,
    "restock_type": "no_restock"}], "amount": "10.00"}`; Shopify sends refunds/create for it."""
    store = _store()
    body = _body()
    refund_input = {
        "orderId": gid("Order", order_id), "note": body.get("note"),
        "refundLineItems": [
            {"lineItemId": gid("LineItem", line["line_item_id"]), "quantity": line.get("quantity", 1),
             "restockType": line.get("restock_type", "no_restock").upper()}
            for line in body.get("line_items", [])
        ],
        "transactions": [{"amount": body["amount"]}] if body.get("amount") else [],
    }
    with store.lock:
        refund, errors = refunds.create_refund(store, refund_input)
        if errors:
            return jsonify({"errors": errors}), 422
        return jsonify({"refund": rest.render_refund(store, refund)}), 201


@blueprint.post("/inventory")
def set_inventory():
    """`{"variant_id": 49148385, "available": 0}`: set a variant's available units at its location."""
    store = _store()
    body = _body()
    with store.lock:
        variant = store.variants.get(body.get("variant_id"))
        if variant is None or not isinstance(body.get("available"), int):
            return _problem("give variant_id (an existing variant) and available (an integer)")
        item_id = variant["inventory_item_id"]
        store.levels[(item_id, stocking_location(store, item_id))]["available"] = body["available"]
    return jsonify(state.snapshot(store)["inventory"])


@blueprint.post("/locations")
def add_location():
    """`{"id": 2, "name": "Returns desk"}` (id optional): a location where every item is stocked at 0."""
    store = _store()
    body = _body()
    with store.lock:
        location_id = body.get("id") or store.next_id()
        if not isinstance(location_id, int) or location_id in store.locations:
            return _problem("id must be an integer that no location has")
        store.locations[location_id] = {**store.locations[seed.LOCATION_ID], "id": location_id,
                                        "name": str(body.get("name") or f"Location {location_id}")}
        for item_id in store.inventory_items:
            store.levels[(item_id, location_id)] = {"id": store.next_id(), "available": 0, "committed": 0,
                                                    "created_at": now(), "updated_at": now()}
    return jsonify({"id": location_id, "gid": gid("Location", location_id)}), 201


@blueprint.post("/products")
def add_product():
    """A product and its variants (see `sandbox/products.py`); 201 with their ids."""
    store = _store()
    body = _body()
    if not isinstance(body, dict):
        return _problem("the body must be a JSON object")
    try:
        with store.lock:
            product = products.create(store, body)
    except products.ProductSpecError as error:
        return _problem(str(error))
    return jsonify(_product_json(store, product)), 201


@blueprint.post("/products/<int:product_id>")
def change_product(product_id: int):
    """`{"requires_selling_plan": true}`: the product is sold on subscription only."""
    store = _store()
    body = _body()
    with store.lock:
        product = store.products.get(product_id)
        if product is None:
            return _problem(f"no product {product_id}", 404)
        if not isinstance(body, dict) or not isinstance(body.get("requires_selling_plan"), bool):
            return _problem("give requires_selling_plan (true or false)")
        product["requires_selling_plan"] = body["requires_selling_plan"]
        product["updated_at"] = now()
        return jsonify(_product_json(store, product))


def _product_json(store: Store, product: dict) -> dict:
    return {
        "id": product["id"], "gid": gid("Product", product["id"]), "title": product["title"],
        "requires_selling_plan": product["requires_selling_plan"],
        "variants": [{"id": v, "gid": gid("ProductVariant", v), "sku": store.variants[v]["sku"]}
                     for v in product["variant_ids"]],
    }


@blueprint.get("/faults")
def list_faults():
    store = _store()
    return jsonify({"rules": store.faults.describe(), "slow": store.config.slow})


@blueprint.post("/faults")
def add_faults():
    """A rule, a list of rules, or `{"rules": [...], "slow": seconds}` (see `sandbox/faults.py`)."""
    store = _store()
    body = _body()
    if isinstance(body, list):
        body = {"rules": body}
    elif "rules" not in body and "slow" not in body:
        body = {"rules": [body]}
    try:
        store.faults.add(body.get("rules", []))
    except (FaultRuleError, TypeError) as error:
        return _problem(str(error))
    if "slow" in body:
        store.configure({"slow": float(body["slow"])})
    return list_faults()


@blueprint.delete("/faults")
def clear_faults():
    store = _store()
    store.faults.clear()
    store.configure({"slow": 0.0})
    return list_faults()


@blueprint.get("/lock")
def get_lock():
    return jsonify(_store().shop_lock.describe())


@blueprint.post("/lock")
def lock_shop():
    """`{"seconds": 10, "status": 423}`: every Admin API call answers that status (423 locked, 402 frozen)
    until the time passes; `seconds` null: until `DELETE lock`."""
    store = _store()
    body = _body()
    if not isinstance(body, dict):
        return _problem("the body must be a JSON object")
    seconds = body.get("seconds", 10)
    if seconds is not None and not isinstance(seconds, int | float):
        return _problem("seconds must be a number or null")
    try:
        store.shop_lock.lock(body.get("status", 423), seconds)
    except ValueError as error:
        return _problem(str(error))
    return get_lock()


@blueprint.delete("/lock")
def unlock_shop():
    _store().shop_lock.unlock()
    return get_lock()


@blueprint.get("/calls")
def list_calls():
    return jsonify({"calls": _store().calls.since(request.args.get("since", 0, type=int))})


@blueprint.delete("/calls")
def clear_calls():
    _store().calls.clear()
    return jsonify({"calls": []})


@blueprint.get("/tokens")
def list_tokens():
    """Minted tokens: `mints`, `refused`, `live` (id, token, expires_in), `live_count`, `revoked`, `expired`."""
    store = _store()
    return jsonify({**store.tokens.describe(), "refuse_mint": store.config.refuse_mint})


@blueprint.post("/tokens/revoke")
def revoke_tokens():
    """Revoke every live minted token (the app was uninstalled or its secret rotated);
    `{"refuse_mint": true}` (or an OAuth error code) also makes the grant refuse until set back to false."""
    store = _store()
    body = _body()
    if isinstance(body, dict) and "refuse_mint" in body:
        if not isinstance(body["refuse_mint"], bool | str):
            return _problem("refuse_mint must be true, false or an OAuth error code")
        store.configure({"refuse_mint": body["refuse_mint"]})
    revoked = store.tokens.revoke_all()
    return jsonify({**store.tokens.describe(), "revoked_now": revoked, "refuse_mint": store.config.refuse_mint})


@blueprint.get("/config")
def get_config():
    return jsonify(_store().config.as_json())


@blueprint.post("/config")
def set_config():
    store = _store()
    body = _body()
    if not isinstance(body, dict):
        return _problem("the body must be a JSON object")
    try:
        store.configure(body)
    except ConfigError as error:
        return _problem(str(error))
    return jsonify(store.config.as_json())


@blueprint.get("/webhooks")
def list_deliveries():
    return jsonify({"deliveries": _store().webhooks.deliveries()})


@blueprint.post("/webhooks/wait")
def wait_for_deliveries():
    """Block until queued webhook deliveries are done (at most `timeout` seconds, default 10)."""
    store = _store()
    idle = store.webhooks.wait_idle(float(_body().get("timeout", 10)))
    return jsonify({"idle": idle, "deliveries": store.webhooks.deliveries()})
