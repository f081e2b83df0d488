"""Every GraphQL document the service sends validates against Shopify's 2026-04 schema."""

import functools

import graphql
import pytest

from sandbox.vendored import schema_text
from shopify import documents

DOCUMENTS = {name: value for name, value in vars(documents).items() if name.isupper() and isinstance(value, str)}


@functools.cache
def schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(schema_text())


def test_there_are_documents_to_check():
    assert {"ORDER_FOR_REPLACEMENT", "DRAFT_ORDER_CREATE", "DRAFT_ORDER_COMPLETE", "TAGS_ADD"} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_the_schema(name):
    errors = graphql.validate(schema(), graphql.parse(DOCUMENTS[name]))
    assert errors == [], [e.message for e in errors]


def test_an_invented_field_is_caught():
    errors = graphql.validate(schema(), graphql.parse("query { order(id: \"x\") { inventedField } }"))
    assert [e.message for e in errors] == [
        "Cannot query field 'inventedField' on type 'Order'. Did you mean 'metafield'?"]
