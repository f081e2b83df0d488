"""Shopify's search syntax as the sandbox reads it."""

import pytest
from graphql import GraphQLError

from sandbox import search
from sandbox.dates import parse_datetime

ORDERS = [
    {"name": "#1001", "tags": ["needs-replacement", "VIP"], "note": "a b", "created": parse_datetime("2026-01-05")},
    {"name": "#1002", "tags": ["replacement-issued"], "note": None, "created": parse_datetime("2026-02-01")},
    {"name": "#1003", "tags": [], "note": "gift: wrap", "created": parse_datetime("2026-03-01T12:00:00Z")},
]
FIELDS = {
    "default": search.contains([lambda o: o["name"], lambda o: o["note"]]),
    "tag": search.tags(lambda o: o["tags"]),
    "note": search.text(lambda o: o["note"]),
    "created_at": search.date(lambda o: o["created"]),
}


def found(query: str) -> list[str]:
    return [o["name"] for o in search.filter_records(ORDERS, query, FIELDS, "orders")]


@pytest.mark.parametrize(("query", "names"), [
    ("", ["#1001", "#1002", "#1003"]),
    ("tag:vip", ["#1001"]),
    ("tag:needs-replacement tag:vip", ["#1001"]),
    ("-tag:vip", ["#1002", "#1003"]),
    ("NOT tag:vip", ["#1002", "#1003"]),
    ("tag:vip OR tag:replacement-issued", ["#1001", "#1002"]),
    ("tag:VIP", ["#1001"]),
    ("tag:needs", []),
    ("tag:replacement", []),
    ("note:'a b'", ["#1001"]),
    ('note:"gift: wrap"', ["#1003"]),
    ("(tag:vip OR tag:replacement-issued) -tag:needs-replacement", ["#1002"]),
    ("created_at:>'2026-01-31'", ["#1002", "#1003"]),
    ("created_at:<=2026-02-01", ["#1001", "#1002"]),
    ("created_at:2026-03-01", ["#1003"]),
    ("1002", ["#1002"]),
])
def test_queries(query, names):
    assert found(query) == names


def test_an_unknown_field_is_not_ignored_even_with_nothing_to_search():
    with pytest.raises(GraphQLError, match="`risk` search filter on orders"):
        found("risk:high")
    with pytest.raises(GraphQLError, match="`risk` search filter on orders"):
        search.filter_records([], "risk:high", FIELDS, "orders")


@pytest.mark.parametrize("query", ["tag:replacement*", "tag:*", "vip OR -tag:needs*"])
def test_a_wildcard_on_tag_is_refused_as_shopify_does_not_document_it(query):
    with pytest.raises(GraphQLError, match="a prefix wildcard on tag is not documented by Shopify") as raised:
        found(query)

    assert raised.value.extensions["code"] == "SANDBOX_NOT_IMPLEMENTED"


def test_other_filters_keep_their_prefix_wildcard():
    assert found("note:gift*") == ["#1003"]


def test_a_webhook_filter_reads_the_rest_body():
    body = {"tags": "needs-replacement, VIP",
            "line_items": [{"sku": "A", "price": "5.00"}, {"sku": "B", "price": "12"}]}

    assert search.matches_payload("tags:vip", body)
    assert search.matches_payload("line_items.sku:B line_items.price:>=10", body)
    assert not search.matches_payload("tags:other", body)
