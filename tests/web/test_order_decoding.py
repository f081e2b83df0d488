"""`decode_order` reads only OrderSchema's fields of an orders/updated body (msgspec) and falls
back to parsing the whole body and OrderSchema (marshmallow) when they do not fit: for every
body its answer must be OrderSchema's, the same data or the same error."""

import json

import pytest

from replacements.subscriptions import ORDER_FIELDS
from tests.payloads import tagged_order
from web.errors import NotJSON, ValidationFailed
from web.receiver import parse_json
from web.shopify_webhooks import ORDER_SCHEMA, decode_order, load

FULL = tagged_order("needs-replacement")
TRIMMED = {field: FULL[field] for field in ORDER_FIELDS}


def reference(raw: bytes):
    """What OrderSchema alone answers: the data, or the error's class and fields."""
    try:
        return load(ORDER_SCHEMA, parse_json(raw))
    except ValidationFailed as error:
        return ValidationFailed, error.fields
    except NotJSON:
        return NotJSON, None


def decoded(raw: bytes):
    try:
        return decode_order(raw)
    except ValidationFailed as error:
        return ValidationFailed, error.fields
    except NotJSON:
        return NotJSON, None


BODIES = [
    json.dumps(FULL), json.dumps(TRIMMED), json.dumps({**TRIMMED, "admin_graphql_api_id": None}),
    json.dumps({k: v for k, v in TRIMMED.items() if k not in ("admin_graphql_api_id", "updated_at")}),
    json.dumps({**TRIMMED, "id": "450789469"}), json.dumps({**TRIMMED, "id": 4.5}), json.dumps({**TRIMMED, "id": True}),
    json.dumps({**TRIMMED, "id": 2 ** 70}), json.dumps({**TRIMMED, "tags": None}), json.dumps({**TRIMMED, "name": 7}),
    json.dumps({k: v for k, v in TRIMMED.items() if k != "tags"}), json.dumps({"id": "abc", "tags": 5}),
    json.dumps([TRIMMED]), '"an order"', "1001", "null", "{}",
    json.dumps(FULL)[:-1], json.dumps(FULL) + "x",
    json.dumps(FULL).replace('"line_items": [', '"line_items": [tru,', 1),
    '{"id": NaN, "name": "#1", "tags": ""}', "", "\ufeff" + json.dumps(TRIMMED),
]


@pytest.mark.parametrize("body", BODIES)
def test_decode_order_answers_what_order_schema_answers(body):
    raw = body.encode()
    assert decoded(raw) == reference(raw)


def test_a_valid_order_is_decoded_to_the_fields_the_service_reads():
    assert decode_order(json.dumps(FULL).encode()) == TRIMMED
