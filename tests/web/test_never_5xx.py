"""Bad input never answers 5xx: for every route, bodies and headers drawn by hypothesis, signed
and unsigned, answer 2xx or 4xx. Redis is up (fakeredis), so not even 503.

Signed invalid UTF-8 and 450,000-deep nesting in orders/updated, deep nesting in an API body
with the token and a 401-digit helpdesk timestamp each answered 500; so did an API quantity
past 64 bits (the task message could not be written). The bodies are each route's own sample
with any field dropped or replaced by any JSON, any JSON, any bytes, broken UTF-8 and deep
nesting."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import fakeredis
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from replacements.subscriptions import CANCELLED_FIELDS, ORDER_FIELDS, REFUND_FIELDS
from tests.conftest import make_settings
from tests.payloads import SHOP, sample, shopify_headers, tagged_order
from tests.web.helpdesks.senders import SECRETS, encode, fixture, secret_env, signed_headers, ticket_payload
from tests.web.test_compliance_webhooks import BODIES as COMPLIANCE_BODIES
from web import create_app
from web.helpdesks import RECEIVERS
from web.shopify_webhooks import TOPICS

API_TOKEN = "api-token-test"
METRICS_TOKEN = "metrics-token-test"
EXAMPLES = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ORDER = tagged_order("needs-replacement")
REFUND = sample("refund-create.rest-2026-07.json")
SHOPIFY_SAMPLES = {
    "orders/updated": {field: ORDER[field] for field in ORDER_FIELDS},
    "refunds/create": {**{field: REFUND[field] for field in REFUND_FIELDS}, "refund_line_items": [
        {key: REFUND["refund_line_items"][0][key] for key in ("line_item_id", "quantity", "restock_type")}]},
    "orders/cancelled": {field: ORDER[field] for field in CANCELLED_FIELDS},
    **COMPLIANCE_BODIES,
}
API_SAMPLES = (
    {"order": "#1001", "lines": [{"sku": "IPOD2008RED", "quantity": 1}], "reason": "lost", "return": True,
     "shipping_address": {"address1": "1 Road", "city": "Austin", "countryCode": "US"}, "shop": SHOP},
    {"orders": ["#1001", {"order": 1002, "lines": "IPOD2008RED x 2, variant:1"}], "lines": [{"line_item_id": 1}],
     "reason": "pallet lost"},
)

LARGE_INTEGERS = st.sampled_from([2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | LARGE_INTEGERS | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
DIGITS = st.integers(min_value=1, max_value=600).map(lambda count: "9" * count)  # no float holds 309 of them
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30)


def like(value) -> st.SearchStrategy:
    """Values shaped like `value`: each field kept, dropped or replaced by any JSON, nested alike."""
    if isinstance(value, dict):
        return st.fixed_dictionaries({}, optional={key: like(item) for key, item in value.items()}) | JSON
    if isinstance(value, list) and value:
        return st.lists(like(value[0]), max_size=3) | JSON
    return st.just(value) | JSON | HEADER_TEXT | st.integers().map(str)


def encoded(value, ascii_only: bool) -> bytes:
    # surrogatepass: a lone surrogate in a string becomes bytes that are not UTF-8
    return json.dumps(value, ensure_ascii=ascii_only, allow_nan=True).encode("utf-8", "surrogatepass")


def spliced(raw: bytes, junk: bytes, at: int) -> bytes:
    at %= len(raw) + 1
    return raw[:at] + junk + raw[at:]


def in_a_string(raw: bytes, junk: bytes, nth: int) -> bytes:
    """`junk` just after the nth quote of `raw` (counted round), so inside a key or a string value."""
    quotes = [at for at, byte in enumerate(raw) if byte == ord('"')]
    return spliced(raw, junk, quotes[nth % len(quotes)] + 1) if quotes else raw + junk


NOT_UTF8 = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"])


def bodies(*samples) -> st.SearchStrategy[bytes]:
    shaped = st.one_of(*(like(value) for value in samples)) | JSON
    json_bytes = st.builds(encoded, shaped, st.booleans())
    return st.one_of(
        json_bytes,
        st.builds(spliced, json_bytes, st.binary(min_size=1, max_size=3), st.integers(min_value=0)),
        st.builds(in_a_string, json_bytes, NOT_UTF8, st.integers(min_value=0)),
        st.binary(max_size=64),
        st.integers(min_value=1, max_value=100_000).map(lambda depth: b"[" * depth + b"]" * depth),
        st.integers(min_value=1000, max_value=100_000).map(  # deep in a field no route reads
            lambda depth: b'{"id": 1, "name": "#1", "tags": "", "x": ' + b"[" * depth + b"]" * depth + b"}"),
    )


def extra_headers(*names: str) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(names), HEADER_TEXT, max_size=len(names)) if names else st.just({})


@pytest.fixture(scope="module")
def client():
    env = {**secret_env(), "METRICS_TOKEN": METRICS_TOKEN}
    return create_app(make_settings(**env), redis_client=fakeredis.FakeRedis()).test_client()


def assert_not_5xx(response) -> None:
    assert response.status_code < 500, response.get_data()[:300]


SHOPIFY_HEADERS = ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
                   "X-Shopify-Hmac-Sha256", "Shopify-Topic", "Shopify-Webhook-Id", "Content-Type")


SHOPIFY_BODIES = {topic: bodies(body) for topic, body in SHOPIFY_SAMPLES.items()}


@st.composite
def shopify_deliveries(draw) -> tuple[bytes, dict]:
    topic = draw(st.sampled_from([*TOPICS, "products/update"]) | HEADER_TEXT)
    raw = draw(SHOPIFY_BODIES.get(topic, SHOPIFY_BODIES["orders/updated"]))
    headers = shopify_headers(raw, topic=topic, webhook_id=draw(HEADER_TEXT), event_id=draw(HEADER_TEXT),
                              shop=draw(st.sampled_from([SHOP, SHOP.upper(), "other.myshopify.com"])))
    if draw(st.booleans()):  # unsigned: any signature header, or none
        headers.pop("X-Shopify-Hmac-Sha256")
        headers.update(draw(extra_headers(*SHOPIFY_HEADERS)))
    return raw, headers


def signed_order_update(raw: bytes) -> tuple[bytes, dict]:
    return raw, shopify_headers(raw)


# What answered 500 before, always among the examples.
DEEP_IN_A_FIELD = b'{"id": 1, "name": "#1", "tags": "", "x": ' + b"[" * 450_000 + b"]" * 450_000 + b"}"
NOT_UTF8_IN_A_FIELD = b'{"id": 450789469, "name": "#1001", "tags": "needs-replacement \xff"}'


@given(delivery=shopify_deliveries())
@example(delivery=signed_order_update(NOT_UTF8_IN_A_FIELD))
@example(delivery=signed_order_update(DEEP_IN_A_FIELD))
@EXAMPLES
def test_shopify_webhooks_never_answer_5xx(client, delivery):
    raw, headers = delivery
    assert_not_5xx(client.post("/webhooks/shopify", data=raw, headers=headers))


HELPDESK_HEADERS = ("X-Zendesk-Webhook-Signature-Timestamp", "X-Zendesk-Webhook-Signature", "X-Webhook-Token",
                    "Authorization", "X-HelpScout-Event", "X-HelpScout-Signature", "X-Hub-Signature",
                    "X-Kustomer-Webhook-Event", "X-Kustomer-Webhook-Signature", "X-Front-Request-Timestamp",
                    "X-Front-Signature", "X-Front-Challenge", "X-Reamaze-Hmac-SHA256", "webhook-id",
                    "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature")


HELPDESK_BODIES = {provider: bodies(ticket_payload(provider)) for provider in RECEIVERS}


@st.composite
def helpdesk_deliveries(draw) -> tuple[str, bytes, dict]:
    provider = draw(st.sampled_from(sorted(RECEIVERS)) | st.text(max_size=10))
    known = provider in RECEIVERS
    raw = draw(HELPDESK_BODIES[provider] if known else bodies({}))
    path = f"/webhooks/helpdesk/{quote(provider, safe='')}"
    if draw(st.booleans()):
        path += "?shop=" + quote(draw(st.sampled_from([SHOP, "other.myshopify.com"]) | HEADER_TEXT), safe="")
    headers = dict(fixture(provider).get("headers") or {}) if known else {}
    if known and draw(st.booleans()):
        stamp = draw(st.none() | HEADER_TEXT | st.integers().map(str) | DIGITS)
        headers.update(signed_headers(provider, raw, SECRETS[provider], time.time(), event_id=draw(HEADER_TEXT),
                                      stamp=stamp))
    else:
        headers.update(draw(extra_headers(*HELPDESK_HEADERS)))
    return path, raw, headers


ZENDESK_BODY = encode(ticket_payload("zendesk"))


@given(delivery=helpdesk_deliveries())
@example(delivery=("/webhooks/helpdesk/zendesk", ZENDESK_BODY, signed_headers(
    "zendesk", ZENDESK_BODY, SECRETS["zendesk"], 0, stamp="9" * 401)))
@EXAMPLES
def test_helpdesk_webhooks_never_answer_5xx(client, delivery):
    path, raw, headers = delivery
    assert_not_5xx(client.post(path, data=raw, headers=headers))


API_AUTHORIZATION = st.sampled_from([f"Bearer {API_TOKEN}", f"bearer {API_TOKEN} ", API_TOKEN]) | HEADER_TEXT


@given(raw=bodies(*API_SAMPLES), authorization=API_AUTHORIZATION, others=extra_headers("Idempotency-Key",
                                                                                       "Content-Type"))
@example(raw=b'{"order": ' + b"[" * 450_000 + b"]" * 450_000 + b"}", authorization=f"Bearer {API_TOKEN}", others={})
@example(raw=b'{"order": "#1", "lines": [{"sku": "A", "quantity": "99999999999999999999"}]}',
         authorization=f"Bearer {API_TOKEN}", others={})
@EXAMPLES
def test_the_api_never_answers_5xx(client, raw, authorization, others):
    headers = {"Authorization": authorization, **others}
    assert_not_5xx(client.post("/api/replacements", data=raw, headers=headers))


@given(request_id=st.text(max_size=40) | st.sampled_from(["api-1", "batch-1"]), authorization=API_AUTHORIZATION)
@EXAMPLES
def test_the_api_status_never_answers_5xx(client, request_id, authorization):
    response = client.get(f"/api/replacements/{quote(request_id, safe='')}", headers={"Authorization": authorization})
    assert_not_5xx(response)


@given(path=st.sampled_from(["/healthz", "/readyz", "/metrics"]), query=st.text(max_size=20),
       authorization=st.just(f"Bearer {METRICS_TOKEN}") | HEADER_TEXT,
       others=extra_headers("X-Request-Id", "Accept", "Webhook-Id"))
@EXAMPLES
def test_health_and_metrics_never_answer_5xx(client, path, query, authorization, others):
    response = client.get(f"{path}?{quote(query)}", headers={"Authorization": authorization, **others})
    assert_not_5xx(response)
