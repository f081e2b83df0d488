"""webhookSubscriptionCreate / Update / Delete and the `webhookSubscriptions` query."""

from __future__ import annotations

from graphql import GraphQLResolveInfo

from sandbox import search
from sandbox.dates import now
from sandbox.errors import access_denied, not_implemented, user_error
from sandbox.ids import legacy_id
from sandbox.pagination import connection
from sandbox.store import Store
from sandbox.views.shop import webhook_subscription_view

READ_SCOPE_BY_RESOURCE = {"ORDERS": "read_orders", "REFUNDS": "read_orders", "DRAFT_ORDERS": "read_draft_orders"}


def create(store: Store, topic: str, webhookSubscription: dict) -> dict:
    data = webhookSubscription
    for key in ("metafields", "metafieldNamespaces"):
        if data.get(key):
            raise not_implemented(f"WebhookSubscriptionInput.{key}")
    if data.get("format") == "XML":
        raise not_implemented("XML webhook deliveries")
    resource = topic.rpartition("_")[0]
    scope = READ_SCOPE_BY_RESOURCE.get(resource)
    if scope and scope not in store.granted_scopes():
        raise access_denied("webhookSubscriptionCreate", scope)
    uri = data.get("uri")
    errors = []
    if not uri:
        errors.append(user_error(["webhookSubscription", "callbackUrl"], "Address can't be blank"))
    elif not uri.startswith(("https://", "http://")):
        # Shopify takes only https (or pubsub/arn); the sandbox also takes http for local receivers.
        errors.append(user_error(["webhookSubscription", "callbackUrl"], "Address protocol is not supported"))
    elif any(sub["topic"] == topic and sub["uri"] == uri for sub in store.webhook_subscriptions.values()):
        errors.append(user_error(["webhookSubscription", "callbackUrl"],
                                 "Address for this topic has already been taken"))
    if data.get("filter"):
        search.parse(data["filter"])
    if errors:
        return {"webhookSubscription": None, "userErrors": errors}
    subscription = {
        "id": store.next_id(), "topic": topic, "uri": uri, "filter": data.get("filter"),
        "include_fields": list(data.get("includeFields") or []), "format": data.get("format") or "JSON",
        "metafield_namespaces": [], "name": data.get("name"), "created_at": now(),
    }
    store.webhook_subscriptions[subscription["id"]] = subscription
    return {"webhookSubscription": webhook_subscription_view(subscription), "userErrors": []}


def update(store: Store, id: str, webhookSubscription: dict) -> dict:
    """Changes what the input names; the topic stays (Shopify has no way to change it)."""
    subscription = store.webhook_subscriptions.get(legacy_id(id, "WebhookSubscription") or 0)
    if subscription is None:
        return {"webhookSubscription": None,
                "userErrors": [user_error(["id"], "Webhook subscription does not exist")]}
    data = webhookSubscription
    for key in ("metafields", "metafieldNamespaces"):
        if data.get(key):
            raise not_implemented(f"WebhookSubscriptionInput.{key}")
    uri = data.get("uri") or subscription["uri"]
    if not uri.startswith(("https://", "http://")):
        return {"webhookSubscription": None, "userErrors": [
            user_error(["webhookSubscription", "callbackUrl"], "Address protocol is not supported")]}
    if data.get("filter"):
        search.parse(data["filter"])
    subscription["uri"] = uri
    if "filter" in data:
        subscription["filter"] = data["filter"]
    if "includeFields" in data:
        subscription["include_fields"] = list(data["includeFields"] or [])
    if data.get("name") is not None:
        subscription["name"] = data["name"]
    return {"webhookSubscription": webhook_subscription_view(subscription), "userErrors": []}


def delete(store: Store, id: str) -> dict:
    if store.webhook_subscriptions.pop(legacy_id(id, "WebhookSubscription") or 0, None) is None:
        return {"deletedWebhookSubscriptionId": None,
                "userErrors": [user_error(["id"], "Webhook subscription does not exist")]}
    return {"deletedWebhookSubscriptionId": id, "userErrors": []}


def connection_of(store: Store, info: GraphQLResolveInfo, topics: list[str] | None = None, uri: str | None = None,
                  format: str | None = None, sortKey: str = "CREATED_AT", **args) -> dict:
    found = [
        sub for sub in store.webhook_subscriptions.values()
        if (not topics or sub["topic"] in topics) and (uri is None or sub["uri"] == uri)
        and (format is None or sub["format"] == format)
    ]
    sort = {"CREATED_AT": lambda sub: [sub["created_at"].timestamp(), sub["id"]], "ID": lambda sub: [sub["id"]]}
    if sortKey not in sort:
        raise not_implemented(f"sorting webhook subscriptions by {sortKey}")
    return connection(info, found, webhook_subscription_view, sort_key=sort[sortKey], **args)
