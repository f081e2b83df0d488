"""One validator for every sender: the same mistake sent to the API and to a helpdesk is the
same 422, field and message; the same good value is the same request."""

import fakeredis
import pytest

from tests.conftest import make_settings
from tests.queued import QueuedTasks
from tests.web.helpdesks.senders import NOW, SECRETS, encode, secret_env, signed_headers
from web import create_app

NOT_AN_ORDER = "must be an order name like #1001, EN1001 or 1001-A, a number, an id or a gid"

AUTH = {"Authorization": "Bearer api-token-test"}


@pytest.fixture
def app():
    return create_app(make_settings(**secret_env()), redis_client=fakeredis.FakeRedis())


def send_to_api(app, **fields):
    return app.test_client().post("/api/replacements", json={"order": "#1001", **fields}, headers=AUTH)


def send_to_helpdesk(app, **fields):
    body = encode({"ticket_id": "9", "tags": "replace", "order": "#1001", **fields})
    headers = signed_headers("gorgias", body, SECRETS["gorgias"], NOW)
    return app.test_client().post("/webhooks/helpdesk/gorgias", data=body,
                                  headers={"Content-Type": "application/json", **headers})


@pytest.mark.parametrize(("fields", "errors"), [
    ({"order": "EU 1001"}, {"order": [NOT_AN_ORDER]}),
    ({"lines": [{"sku": "A", "quantity": 0}]}, {"lines[0].quantity": ["must be a whole number of at least 1"]}),
    ({"lines": [{"sku": "A", "quantity": "two"}]}, {"lines[0].quantity": ["must be a whole number of at least 1"]}),
    ({"lines": [{"sku": "A", "quantity": True}]}, {"lines[0].quantity": ["must be a whole number of at least 1"]}),
    ({"lines": [{"sku": "A"}, {"sku": "B", "quantity": -1}]},
     {"lines[1].quantity": ["must be a whole number of at least 1"]}),
    ({"lines": [{"sku": "A", "variant_id": 1}]},
     {"lines[0]": ["must name exactly one of line_item_id, variant_id or sku"]}),
    ({"lines": [{"quantity": 1}]}, {"lines[0]": ["must name exactly one of line_item_id, variant_id or sku"]}),
    ({"lines": ["IPOD2008RED"]}, {"lines[0]": ["must be an object"]}),
    ({"lines": [{"line_item_id": "x"}]}, {"lines[0].line_item_id": ["must be a Shopify id: a number or a gid"]}),
    ({"lines": "variant:blue"}, {"lines[0].variant_id": ["must be a Shopify id: a number or a gid"]}),
    ({"lines": [{"sku": ["A"]}]}, {"lines[0].sku": ["must be a SKU: a string or a number of at most 255 characters"]}),
    ({"lines": [{"sku": "A", "qty": 2}]}, {"lines[0].qty": ["is not a line field"]}),
    ({"lines": []}, {"lines": ["must name at least one line"]}),
    ({"lines": {"sku": "A"}}, {"lines": ["must be a list of lines, or text like 'SKU-1 x 2, variant:123'"]}),
    ({"lines": "IPOD2008RED x two"},
     {"lines[0]": ["'IPOD2008RED x two' is not like 'SKU-1 x 2', 'variant:123 x 1' or 'line:456'"]}),
    ({"reason": ["lost"]}, {"reason": ["must be text"]}),
    ({"shipping_address": "1 Main St, Ottawa"},
     {"shipping_address": ["must be an object of MailingAddressInput fields"]}),
    ({"shipping_address": {"address1": "1 Road"}}, {"shipping_address.countryCode": ["is required"]}),
    ({"shipping_address": {"address1": "1 Road", "countryCode": "CAN"}},
     {"shipping_address.countryCode": ["must be a two-letter country code"]}),
    ({"shipping_address": {"address1": ["1 Road"], "countryCode": "CA"}},
     {"shipping_address.address1": ["must be a string or a number"]}),
    ({"shipping_address": {"street": "1 Road", "address1": "1 Road", "countryCode": "CA"}},
     {"shipping_address.street": ["is not a MailingAddressInput field"]}),
])
def test_the_same_mistake_is_the_same_422_from_the_api_and_a_helpdesk(app, fields, errors):
    from_api, from_helpdesk = send_to_api(app, **fields), send_to_helpdesk(app, **fields)

    assert (from_api.status_code, from_api.json["fields"]) == (422, errors)
    assert (from_helpdesk.status_code, from_helpdesk.json["fields"]) == (422, errors)
    QueuedTasks(app.extensions["intake"].client).assert_not_called()


@pytest.mark.parametrize(("fields", "request_fields"), [
    ({"lines": "IPOD2008RED x 2, variant:49148385; line:gid://shopify/LineItem/518995019"},
     {"lines": [{"sku": "IPOD2008RED", "quantity": 2}, {"variant_id": "49148385"},
                {"line_item_id": "gid://shopify/LineItem/518995019"}]}),
    ({"lines": [{"variant_id": 49148385, "quantity": "2"}, {"sku": " IPOD2008RED ", "quantity": ""}]},
     {"lines": [{"variant_id": "49148385", "quantity": 2}, {"sku": "IPOD2008RED"}]}),
    ({"shipping_address": {"firstName": "Bob", "address1": "1 Main St", "zip": 90210, "company": "",
                           "countryCode": "US"}},
     {"shipping_address": {"firstName": "Bob", "address1": "1 Main St", "zip": "90210", "countryCode": "US"}}),
    ({"reason": "x" * 600}, {"reason": "x" * 500}),
])
def test_the_same_good_value_is_the_same_request_from_the_api_and_a_helpdesk(app, fields, request_fields):
    queued = QueuedTasks(app.extensions["intake"].client)

    assert send_to_api(app, **fields).status_code == 202
    assert send_to_helpdesk(app, **fields).json == {"status": "queued"}

    from_api, from_helpdesk = (call.kwargs["args"][0] for call in queued.call_args_list)
    assert {key: from_api[key] for key in request_fields} == request_fields
    assert {key: from_helpdesk[key] for key in request_fields} == request_fields
