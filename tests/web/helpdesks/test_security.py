"""One security case, run for every helpdesk: only a request signed (or carrying the token)
with a configured secret is enqueued; everything else is 401 or 404 and enqueues nothing."""

import base64

import fakeredis
import pytest

from tests.conftest import make_settings
from tests.web.helpdesks.senders import (
    NOW,
    OLD_SECRETS,
    PROVIDERS,
    SECRETS,
    TIMESTAMPED,
    encode,
    fixture,
    secret_env,
    signed_headers,
    ticket_payload,
)
from web import create_app

SIGNING = tuple(p for p in PROVIDERS if p not in ("gorgias", "freshdesk"))  # the other two send a token


def post(app, provider: str, body: bytes, headers: dict, path: str | None = None):
    return app.test_client().post(path or f"/webhooks/helpdesk/{provider}", data=body,
                                  headers={"Content-Type": "application/json", **headers})


def signed(provider: str, secret: str | None = None, at: float = NOW, **payload) -> tuple[bytes, dict]:
    body = encode(ticket_payload(provider, **payload))
    return body, signed_headers(provider, body, secret or SECRETS[provider], at)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_signed_ticket_is_queued(app, queued, provider):
    body, headers = signed(provider)
    response = post(app, provider, body, headers)
    assert (response.status_code, response.json) == (200, {"status": "queued"})
    queued.assert_called_once()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_secret_before_the_rotation_is_still_accepted(app, queued, provider):
    body, headers = signed(provider, secret=OLD_SECRETS[provider])
    assert post(app, provider, body, headers).json == {"status": "queued"}


@pytest.mark.parametrize("provider", SIGNING)
def test_tampered_body_is_refused(app, queued, provider):
    body, headers = signed(provider)
    response = post(app, provider, body.replace(b"#1001", b"#1002"), headers)
    assert (response.status_code, response.json["error"]) == (401, "missing or bad signature")
    queued.assert_not_called()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_wrong_secret_is_refused(app, queued, provider):
    wrong = "whsec_d3Jvbmcgc2VjcmV0IGtleSAyNGI=" if provider == "standard" else "wrong_secret"
    body, headers = signed(provider, secret=wrong)
    response = post(app, provider, body, headers)
    assert (response.status_code, response.json["error"]) == (401, "missing or bad signature")
    queued.assert_not_called()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_missing_headers_are_refused(app, queued, provider):
    body, headers = signed(provider)
    routing_hints = ("X-HelpScout-Event", "X-Kustomer-Webhook-Event")  # not part of the signature
    for name in (name for name in headers if name not in routing_hints):
        response = post(app, provider, body, {k: v for k, v in headers.items() if k != name})
        assert response.status_code == 401, name
    queued.assert_not_called()


@pytest.mark.parametrize("provider", TIMESTAMPED)
def test_stale_or_future_timestamp_is_refused(app, queued, provider):
    for at in (NOW - 301, NOW + 301):
        body, headers = signed(provider, at=at)
        response = post(app, provider, body, headers)
        assert (response.status_code, response.json["error"]) == (
            401, "signed timestamp is missing, malformed or more than 5 minutes away")
    queued.assert_not_called()
    body, headers = signed(provider, at=NOW - 299)
    assert post(app, provider, body, headers).status_code == 200


@pytest.mark.parametrize("provider", TIMESTAMPED)
@pytest.mark.parametrize("stamp", ["9" * 401, "9" * 5000, "1e400", "0001-01-01T00:00:00+14:00", "²", "-1"])
def test_a_signed_but_malformed_timestamp_is_401(app, queued, provider, stamp):
    """A 401-digit timestamp, signed, answered 500: no float holds it."""
    body = encode(ticket_payload(provider))
    response = post(app, provider, body, signed_headers(provider, body, SECRETS[provider], NOW, stamp=stamp))
    assert (response.status_code, response.json["error"]) == (
        401, "signed timestamp is missing, malformed or more than 5 minutes away")
    queued.assert_not_called()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_provider_without_a_secret_is_not_found(queued, provider):
    env = {k: v for k, v in secret_env().items() if not k.startswith(provider.upper() + "_")}
    app = create_app(make_settings(**env), redis_client=fakeredis.FakeRedis())
    body, headers = signed(provider)
    response = post(app, provider, body, headers)
    assert (response.status_code, response.json["error"]) == (404, "no such provider, or its secret is not configured")


def test_unknown_provider_is_not_found(app, queued):
    body, headers = signed("zendesk")
    assert post(app, "zendesk", body, headers, path="/webhooks/helpdesk/nosuchdesk").status_code == 404


def test_unknown_shop_is_forbidden_only_with_a_valid_signature(app, queued):
    body, headers = signed("zendesk")
    path = "/webhooks/helpdesk/zendesk?shop=other.myshopify.com"
    assert post(app, "zendesk", body, headers, path=path).status_code == 403
    assert post(app, "zendesk", body + b" ", headers, path=path).status_code == 401
    queued.assert_not_called()


def test_front_url_validation_is_answered_only_when_signed(app, queued):
    validation = fixture("front", "url_validation")
    body = encode(validation["body"])
    headers = {**signed_headers("front", body, SECRETS["front"], NOW), **validation["headers"]}
    assert post(app, "front", body, headers).json == {"challenge": "ch4ll3nge"}
    headers["X-Front-Signature"] = "forged"
    assert post(app, "front", body, headers).status_code == 401
    queued.assert_not_called()


def test_svix_header_names_are_accepted(app, queued):
    body, headers = signed("standard")
    svix = {name.replace("webhook-", "svix-"): value for name, value in headers.items()}
    assert post(app, "standard", body, svix).json == {"status": "queued"}


@pytest.mark.parametrize("provider", ["gorgias", "freshdesk"])
def test_unsigned_helpdesks_may_send_the_token_as_header_bearer_or_basic_auth_password(app, queued, provider):
    body = encode(ticket_payload(provider))
    basic = base64.b64encode(f"replacements:{SECRETS[provider]}".encode()).decode()
    for headers in ({"X-Webhook-Token": SECRETS[provider]}, {"Authorization": f"Bearer {SECRETS[provider]}"},
                    {"Authorization": f"Basic {basic}"}):
        assert post(app, provider, body, headers).status_code == 200, headers
    assert post(app, provider, body, {"Authorization": "Basic bm90IGJhc2U2NA=="}).status_code == 401
