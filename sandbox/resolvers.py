"""The root fields: what each query and mutation reads or changes in the store.

Root values are dicts of callables `(info, **args)`; any root field not listed here is answered
with a SANDBOX_NOT_IMPLEMENTED error by the executor's field resolver.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLResolveInfo, get_named_type

from sandbox import drafts, jobs, orders, refunds, webhook_subscriptions
from sandbox.errors import access_denied, not_implemented, user_error
from sandbox.idempotency import run_once
from sandbox.ids import parse_gid
from sandbox.store import Store
from sandbox.views import catalog, customers, nodes, shop
from sandbox.views import drafts as draft_views
from sandbox.views import orders as order_views
from sandbox.views.common import count

Resolver = Callable[..., object]


def _scoped(store: Store, scope: str | None, resolve: Resolver) -> Resolver:
    def guarded(info: GraphQLResolveInfo, **args):
        if scope and scope not in store.granted_scopes():
            raise access_denied(info.field_name, scope)
        return resolve(info, **args)

    return guarded


def _by_id(store: Store, kind: str, collection: dict, view: Callable[[Store, dict], dict]) -> Resolver:
    def resolve(_info, id: str):
        found_kind, legacy = parse_gid(id)
        record = collection.get(legacy) if found_kind == kind else None
        return view(store, record) if record else None

    return resolve


def _count(found: list, limit: int | None) -> dict:
    if limit is not None and len(found) > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return count(len(found))


def query_root(store: Store) -> dict:
    def read(scope: str | None, resolve: Resolver) -> Resolver:
        return _scoped(store, scope, resolve)

    def location(_info, id: str | None = None):
        if not {"read_locations", "read_inventory"} & store.granted_scopes():
            raise access_denied("location", "read_locations")
        if id is None:
            return catalog.location_view(store, next(iter(store.locations.values())))
        return _by_id(store, "Location", store.locations, catalog.location_view)(_info, id)

    def orders_count(_info, query=None, savedSearchId=None, limit=10000):
        if savedSearchId:
            raise not_implemented("saved searches")
        return _count(order_views.search_orders(store, list(store.orders.values()), query), limit)

    def drafts_count(_info, query=None, savedSearchId=None, limit=10000):
        if savedSearchId:
            raise not_implemented("saved searches")
        return _count(draft_views.search_drafts(list(store.draft_orders.values()), query), limit)

    return {
        "shop": lambda _: shop.shop_view(store),
        "currentAppInstallation": lambda _: shop.app_installation_view(store),
        "node": lambda _, id: nodes.node_view(store, id),
        "nodes": lambda _, ids: [nodes.node_view(store, each) for each in ids],
        "order": read("read_orders", _by_id(store, "Order", store.orders, order_views.order_view)),
        "orders": read("read_orders", lambda info, **args: order_views.orders_connection(
            store, info, list(store.orders.values()), **args)),
        "ordersCount": read("read_orders", orders_count),
        "refund": read("read_orders", _by_id(store, "Refund", store.refunds, order_views.refund_view)),
        "draftOrder": read("read_draft_orders",
                           _by_id(store, "DraftOrder", store.draft_orders, draft_views.draft_view)),
        "draftOrders": read("read_draft_orders",
                            lambda info, **args: draft_views.drafts_connection(store, info, **args)),
        "draftOrdersCount": read("read_draft_orders", drafts_count),
        "customer": read("read_customers", _by_id(store, "Customer", store.customers, customers.customer_view)),
        "product": read("read_products", _by_id(store, "Product", store.products, catalog.product_view)),
        "productVariant": read("read_products", _by_id(store, "ProductVariant", store.variants, catalog.variant_view)),
        "inventoryItem": read("read_inventory", _by_id(store, "InventoryItem", store.inventory_items,
                                                       catalog.inventory_item_view)),
        "location": location,
        "job": lambda _, id: _job(store, id),
        "webhookSubscription": _by_id(store, "WebhookSubscription", store.webhook_subscriptions,
                                      lambda _store, sub: shop.webhook_subscription_view(sub)),
        "webhookSubscriptions": lambda info, **args: webhook_subscriptions.connection_of(store, info, **args),
    }


def job_view(store: Store, job: dict) -> dict:
    done = job["done"]
    return {"__typename": "Job", "id": job["id"], "done": done, "query": lambda _: query_root(store) if done else None}


def _job(store: Store, id: str) -> dict | None:
    if not id.startswith(jobs.GID_PREFIX):
        parse_gid(id)  # Shopify's error for a malformed id
    job = store.jobs.get(id)
    return job_view(store, job) if job else None


def forced_user_error_payload(info: GraphQLResolveInfo, message: str) -> dict:
    """The mutation's payload with every field null but its userErrors: what the `user_error` fault answers."""
    payload_type = get_named_type(info.return_type)
    payload: dict = dict.fromkeys(payload_type.fields)
    for name in payload_type.fields:
        if name.endswith("serErrors"):
            payload[name] = [user_error(None, message, code=None)]
    return payload


def mutation_root(store: Store, forced_user_errors: dict[str, str] | None = None,
                  failing_jobs: set[str] | None = None) -> dict:
    """`forced_user_errors` and `failing_jobs` come from fault rules, by root field name."""
    forced = forced_user_errors or {}
    failing = failing_jobs or set()

    def write(scope: str | None, resolve: Resolver) -> Resolver:
        def maybe_forced(info: GraphQLResolveInfo, **args):
            if info.field_name in forced:
                return forced_user_error_payload(info, forced[info.field_name])
            return resolve(info, **args)

        return _scoped(store, scope, maybe_forced)

    def draft_payload(result: tuple[dict | None, list[dict]]) -> dict:
        draft, errors = result
        return {"draftOrder": draft_views.draft_view(store, draft) if draft else None, "userErrors": errors}

    def draft_delete(_info, input: dict) -> dict:
        deleted, errors = drafts.delete_draft(store, input["id"])
        return {"deletedId": deleted, "userErrors": errors}

    def change_tags(info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict:
        kind, legacy = parse_gid(id)
        scope = {"Order": "write_orders", "DraftOrder": "write_draft_orders"}.get(kind)
        if scope is None:
            raise not_implemented(f"{info.field_name} on {kind} ids")
        if scope not in store.granted_scopes():
            raise access_denied(info.field_name, scope)
        record = (store.orders if kind == "Order" else store.draft_orders).get(legacy)
        if record is None:
            return {"node": None, "userErrors": [user_error(["id"], f"{kind} does not exist")]}
        change = {"add": tags} if info.field_name == "tagsAdd" else {"remove": tags}
        if kind == "Order":
            orders.change_tags(store, record, **change)
        else:
            drafts.change_tags(record, **change)
        return {"node": nodes.node_view(store, id), "userErrors": []}

    def order_update(_info, input: dict) -> dict:
        order, errors = orders.update_order(store, input)
        return {"order": order_views.order_view(store, order) if order else None, "userErrors": errors}

    def order_cancel(_info, orderId: str, restock: bool, reason: str, refundMethod=None, notifyCustomer=False,
                     staffNote=None) -> dict:
        refund = bool((refundMethod or {}).get("originalPaymentMethodsRefund"))
        errors = orders.cancel_problems(store, orderId)
        if errors:
            return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
        job = jobs.start(
            store, lambda: orders.cancel_order(store, orderId, reason, restock, refund=refund, staff_note=staffNote),
            store.config.cancel_job_seconds, fails="orderCancel" in failing,
        )
        return {"job": job_view(store, job), "orderCancelUserErrors": [], "userErrors": []}

    def refund_create(info: GraphQLResolveInfo, input: dict) -> dict:
        def create() -> tuple[int | None, list[dict]]:
            refund, errors = refunds.create_refund(store, input)
            return (refund["id"] if refund else None), errors

        refund_id, errors = run_once(store, info, {"input": input}, create)
        refund = store.refunds.get(refund_id) if refund_id else None
        order = store.orders[refund["order_id"]] if refund else None
        return {
            "refund": order_views.refund_view(store, refund) if refund else None,
            "order": order_views.order_view(store, order) if order else None,
            "userErrors": errors,
        }

    return {
        "draftOrderCreate": write("write_draft_orders",
                                  lambda _, input: draft_payload(drafts.create_draft(store, input))),
        "draftOrderComplete": write("write_draft_orders", lambda _, id, paymentGatewayId=None, sourceName=None:
                                    draft_payload(drafts.complete_draft(store, id, sourceName))),
        "draftOrderDelete": write("write_draft_orders", draft_delete),
        "tagsAdd": write(None, change_tags),
        "tagsRemove": write(None, change_tags),
        "orderUpdate": write("write_orders", order_update),
        "orderCancel": write("write_orders", order_cancel),
        "refundCreate": write("write_orders", refund_create),
        "webhookSubscriptionCreate": write(None, lambda _, **args: webhook_subscriptions.create(store, **args)),
        "webhookSubscriptionUpdate": write(None, lambda _, **args: webhook_subscriptions.update(store, **args)),
        "webhookSubscriptionDelete": write(None, lambda _, id: webhook_subscriptions.delete(store, id)),
    }
