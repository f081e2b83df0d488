"""The Shopify client's rules: throttling waits, queries retry in place, mutations never do."""

import pytest
import requests

from core.errors import PermanentFailure
from core.settings import Shop
from shopify.client import ShopifyClient
from shopify.errors import PermanentShopifyError, RetryableShopifyError, ShopifyUserErrors, ShopUnavailable

SHOP = Shop("example.myshopify.com", "shpat_x", ("s",), "http://shop.test")
COST = {"requestedQueryCost": 52, "actualQueryCost": 12,
        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 2, "restoreRate": 100.0}}
THROTTLED = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
             "extensions": {"cost": {**COST, "actualQueryCost": None}}}


class Answer:
    def __init__(self, status: int, body=None, text: str | None = None):
        self.status_code = status
        self.body = body
        self.text = text if text is not None else str(body)
        self.headers = {"X-Request-Id": "req-1"}

    def json(self):
        if self.body is None:
            raise ValueError("no json")
        return self.body


class ScriptedSession:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def post(self, url, json, headers, timeout):
        self.sent.append({"url": url, "json": json, "headers": headers, "timeout": timeout})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(*answers):
    session = ScriptedSession(*answers)
    sleeps = []
    return ShopifyClient(SHOP, session=session, sleep=sleeps.append, backoff=lambda attempt: 0.5), session, sleeps


QUERY = "query OrderForReplacement($id: ID!) { order(id: $id) { id } }"
MUTATION = "mutation TagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }"


def test_query_is_sent_to_the_versioned_endpoint_with_the_token():
    c, session, _ = client(Answer(200, {"data": {"order": {"id": "gid://shopify/Order/1"}}, "extensions": {}}))
    assert c.query(QUERY, {"id": "gid://shopify/Order/1"}) == {"order": {"id": "gid://shopify/Order/1"}}
    assert session.sent[0]["url"] == "http://shop.test/admin/api/2026-04/graphql.json"
    assert session.sent[0]["headers"] == {"X-Shopify-Access-Token": "shpat_x"}
    assert session.sent[0]["timeout"] == (3.05, 10.0)


@pytest.mark.parametrize("throttled", [Answer(200, THROTTLED), Answer(429, THROTTLED)])
def test_throttled_waits_what_the_bucket_needs_then_sends_again(throttled):
    c, session, sleeps = client(throttled, Answer(200, {"data": {"order": None}}))
    assert c.query(QUERY, {"id": "x"}) == {"order": None}
    assert sleeps == [pytest.approx(0.5)]  # (52 - 2) / 100
    assert len(session.sent) == 2


def test_throttled_mutation_is_sent_again_because_nothing_was_applied():
    c, session, _ = client(Answer(200, THROTTLED), Answer(200, {"data": {"tagsAdd": {"userErrors": []}}}))
    assert c.mutate(MUTATION, {"id": "x", "tags": ["a"]}, "tagsAdd") == {"userErrors": []}
    assert len(session.sent) == 2


def test_query_retries_5xx_and_network_errors_in_place():
    c, session, sleeps = client(Answer(503, text="busy"), requests.ConnectionError("reset"),
                                Answer(200, {"data": {"order": None}}))
    assert c.query(QUERY, {"id": "x"}) == {"order": None}
    assert sleeps == [0.5, 0.5]


def test_query_gives_up_after_three_attempts():
    c, _, _ = client(Answer(502, text=""), Answer(502, text=""), Answer(502, text=""))
    with pytest.raises(RetryableShopifyError, match="OrderForReplacement: HTTP 502"):
        c.query(QUERY, {"id": "x"})


@pytest.mark.parametrize("failure", [Answer(502, text="bad gateway"), requests.ReadTimeout("slow")])
def test_mutation_is_never_retried_in_place_because_it_may_have_been_applied(failure):
    c, session, _ = client(failure)
    with pytest.raises(RetryableShopifyError):
        c.mutate(MUTATION, {"id": "x", "tags": ["a"]}, "tagsAdd")
    assert len(session.sent) == 1


def test_user_errors_are_permanent_with_the_message_kept():
    c, _, _ = client(Answer(200, {"data": {"tagsAdd": {"userErrors": [
        {"field": ["id"], "message": "Order does not exist"}]}}}))
    with pytest.raises(ShopifyUserErrors, match="tagsAdd refused: id: Order does not exist"):
        c.mutate(MUTATION, {"id": "x", "tags": ["a"]}, "tagsAdd")


def test_graphql_errors_and_4xx_are_permanent():
    c, _, _ = client(Answer(200, {"errors": [{"message": "Field 'x' doesn't exist"}]}))
    with pytest.raises(PermanentShopifyError, match="Field 'x' doesn't exist"):
        c.query(QUERY, {"id": "x"})
    c, _, _ = client(Answer(404, {"errors": "Not Found"}))
    with pytest.raises(PermanentShopifyError, match="HTTP 404") as error:
        c.query(QUERY, {"id": "x"})
    assert error.value.status == 404
    assert error.value.request_id == "req-1"


def test_a_legacy_token_refused_makes_the_shop_unavailable_not_a_failure():
    c, session, _ = client(Answer(401, {"errors": "[API] Invalid API key or access token"}))
    with pytest.raises(ShopUnavailable, match="set a valid SHOPIFY_ACCESS_TOKEN") as error:
        c.query(QUERY, {"id": "x"})
    assert (error.value.reason, len(session.sent)) == ("auth", 1)


def test_429_without_a_graphql_body_waits_retry_after():
    c, session, sleeps = client(Answer(429, None, text="Too Many Requests"), Answer(200, {"data": {"order": None}}))
    c.session.answers[0].headers["Retry-After"] = "2.0"
    assert c.query(QUERY, {"id": "x"}) == {"order": None}
    assert sleeps == [2.0]


INTERNAL = {"errors": [{"message": "Internal error. Looks like something went wrong on our end.",
                        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "r-1"}}]}


@pytest.mark.parametrize("code", ["INTERNAL_SERVER_ERROR", "TIMEOUT"])
def test_a_transient_graphql_error_is_retried_in_place_for_a_query(code):
    transient = {"errors": [{**INTERNAL["errors"][0], "extensions": {"code": code}}]}
    c, session, sleeps = client(Answer(200, transient), Answer(200, {"data": {"order": None}, "extensions": {}}))
    assert c.query(QUERY, {"id": "gid://shopify/Order/1"}) == {"order": None}
    assert (len(session.sent), sleeps) == (2, [0.5])


def test_a_transient_graphql_error_on_a_mutation_is_retryable_never_resent_in_place():
    c, session, _ = client(Answer(200, INTERNAL))
    with pytest.raises(RetryableShopifyError, match="TagsAdd: Internal error"):
        c.mutate(MUTATION, {"id": "gid://shopify/Order/1", "tags": ["x"]}, "tagsAdd")
    assert len(session.sent) == 1


@pytest.mark.parametrize(("status", "reason"), [(402, "frozen"), (423, "locked")])
def test_a_frozen_or_locked_shop_is_unavailable_not_a_failure(status, reason):
    c, session, _ = client(Answer(status, {"errors": "Unavailable Shop"}))
    with pytest.raises(ShopUnavailable, match=f"shop example.myshopify.com is {reason}") as raised:
        c.query(QUERY, {"id": "gid://shopify/Order/1"})
    assert (raised.value.reason, len(session.sent)) == (reason, 1)
    assert not isinstance(raised.value, PermanentFailure)


def test_access_denied_is_permanent_and_keeps_the_scope_shopify_names():
    denied = {"errors": [{"message": "Access denied for location field. Required access: `read_locations` access "
                                     "scope.", "extensions": {"code": "ACCESS_DENIED"}}]}
    c, _, _ = client(Answer(200, denied))
    with pytest.raises(PermanentShopifyError, match="read_locations"):
        c.query(QUERY, {"id": "gid://shopify/Order/1"})


def test_a_query_dearer_than_the_whole_bucket_fails_instead_of_waiting_forever():
    cost = {"requestedQueryCost": 507, "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 450.0, "currentlyAvailable": 450.0, "restoreRate": 100.0}}
    c, session, _ = client(Answer(200, {**THROTTLED, "extensions": {"cost": cost}}))
    with pytest.raises(PermanentShopifyError, match=r"query cost \(507\) is more than the shop's whole bucket"):
        c.query(QUERY, {"id": "x"})
    assert len(session.sent) == 1
