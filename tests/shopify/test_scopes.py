"""The required scopes are exactly what the documents the service sends need: every object type,
root field and mutation they touch has a scope decided here (with its source), and a document
that reaches a new type fails until someone decides its scope."""

import functools

import graphql
import pytest

from replacements.subscriptions import WANTED
from sandbox.vendored import schema_text
from shopify import documents, scopes

DOCUMENTS = {name: value for name, value in vars(documents).items() if name.isupper() and isinstance(value, str)}

# Object types and the scope reading any of their fields needs (shopify.dev, each object's page:
# "Requires `read_orders` access scope", ...); None: no scope of its own.
TYPE_SCOPES = {
    "Order": "read_orders", "LineItem": "read_orders", "OrderTransaction": "read_orders", "Refund": "read_orders",
    "RefundLineItem": "read_orders", "ShippingLine": "read_orders", "LineItemSellingPlan": "read_orders",
    "DraftOrder": "read_draft_orders", "DraftOrderLineItem": "read_draft_orders",
    "Customer": "read_customers",
    "Product": "read_products", "ProductVariant": "read_products",
    "InventoryItem": "read_inventory", "InventoryLevel": "read_inventory", "InventoryQuantity": "read_inventory",
    # "All other fields of the Location object ... still require the read_locations scope" (FACTS §10.3).
    "Location": "read_locations",
    "MailingAddress": None,  # protected customer data, not a scope: see PROTECTED_CUSTOMER_FIELDS
    "Attribute": None, "MoneyBag": None, "MoneyV2": None, "PageInfo": None, "Count": None, "Job": None,
    "Shop": None, "AppInstallation": None, "AccessScope": None, "WebhookSubscription": None,
}
# Since 2025-03 a Location's id is readable with read_inventory (FACTS §10.3).
FIELD_SCOPES = {("Location", "id"): "read_inventory"}
ROOT_SCOPES = {
    "order": "read_orders", "orders": "read_orders", "ordersCount": "read_orders", "refund": "read_orders",
    "draftOrder": "read_draft_orders", "draftOrders": "read_draft_orders", "location": "read_locations",
    "nodes": None, "shop": None, "currentAppInstallation": None, "webhookSubscriptions": None, "job": None,
    "draftOrderCreate": "write_draft_orders", "draftOrderComplete": "write_draft_orders",
    "draftOrderDelete": "write_draft_orders",
    "tagsAdd": "write_orders", "tagsRemove": "write_orders",  # the service tags orders only
    "refundCreate": "write_orders", "orderCancel": "write_orders",
    "webhookSubscriptionCreate": None, "webhookSubscriptionUpdate": None,  # the topic's scope: see below
}


@functools.cache
def schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(schema_text())


def _neutral(type_name: str) -> bool:
    return type_name.endswith(("Connection", "Payload", "UserError")) or type_name in ("QueryRoot", "Mutation")


def needs(document: str) -> set[str]:
    """The scopes `document` needs; KeyError names a type or root field nobody decided about."""
    info = graphql.TypeInfo(schema())
    needed: set[str | None] = set()

    class Visitor(graphql.Visitor):
        def enter_field(self, node, *_):
            parent = graphql.get_named_type(info.get_parent_type())
            if parent.name in ("QueryRoot", "Mutation"):
                needed.add(ROOT_SCOPES[node.name.value])
            elif not (_neutral(parent.name) or graphql.is_abstract_type(parent)):
                needed.add(FIELD_SCOPES.get((parent.name, node.name.value), TYPE_SCOPES[parent.name]))

    graphql.visit(graphql.parse(document), graphql.TypeInfoVisitor(info, Visitor()))
    return needed - {None}


def topic_scope(topic: str) -> str:
    description = schema().get_type("WebhookSubscriptionTopic").values[topic].description
    return description.split("scope")[1].replace("s:", "").replace("`", "").split(",")[0].split()[0]


def minimal(needed: set[str]) -> set[str]:
    return {scope for scope in needed if not (scope.startswith("read_") and "write_" + scope[5:] in needed)}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_each_document_needs_only_scopes_the_list_grants(name):
    assert needs(DOCUMENTS[name]) <= scopes.effective(scopes.REQUIRED)


def test_the_list_is_exactly_what_the_documents_and_the_webhook_topics_need():
    needed = set().union(*(needs(document) for document in DOCUMENTS.values()))
    needed |= {topic_scope(want.topic) for want in WANTED}
    assert minimal(needed) == set(scopes.REQUIRED)


def test_the_topics_scope_is_read_from_the_schema():
    assert {topic_scope(want.topic) for want in WANTED} == {"read_orders"}


def test_location_fields_other_than_id_need_read_locations():
    assert needs("query { location(id: \"gid://shopify/Location/1\") { id } }") == {"read_locations", "read_inventory"}
    assert needs("query { nodes(ids: []) { ... on InventoryLevel { location { id } } } }") == {"read_inventory"}
    assert needs("query { nodes(ids: []) { ... on InventoryLevel { location { isActive } } } }") == {
        "read_inventory", "read_locations"}


def test_a_document_reaching_an_undecided_type_fails():
    with pytest.raises(KeyError, match="Fulfillment"):
        needs("query { order(id: \"x\") { fulfillments(first: 1) { id } } }")


def test_a_write_scope_grants_its_read_scope():
    assert scopes.missing(["write_orders", "write_draft_orders", "read_products", "write_inventory",
                           "read_locations", "read_customers"]) == []
    assert scopes.missing(["read_orders", "write_draft_orders"]) == [
        "write_orders", "read_products", "read_inventory", "read_locations", "read_customers"]
