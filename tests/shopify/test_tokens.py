"""Tokens of a Dev Dashboard app: minted with the client credentials grant, shared by every
process through Redis, renewed ahead of expiry and after a 401, never minted twice at once."""

import threading

import fakeredis
import pytest

from core.settings import Shop
from shopify.client import ShopifyClient
from shopify.errors import RetryableShopifyError, ShopUnavailable
from shopify.tokens import ClientCredentials, StaticToken
from tests.shopify.test_client import QUERY, Answer

SHOP = Shop("example.myshopify.com", None, ("secret",), "http://shop.test", client_id="cid", client_secret="secret")
OK = {"data": {"order": None}, "extensions": {}}
INVALID = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Shopify:
    """The token endpoint (a new token per mint, `lifetime` seconds) and the GraphQL endpoint
    (which accepts only the tokens in `valid`)."""

    def __init__(self, lifetime: float = 30, refuse_mint: bool = False):
        self.lifetime = lifetime
        self.refuse_mint = refuse_mint
        self.mints = []
        self.valid = set()
        self.graphql_tokens = []
        self.lock = threading.Lock()

    def post(self, url, data=None, json=None, headers=None, timeout=None):
        if url.endswith("/admin/oauth/access_token"):
            with self.lock:
                self.mints.append(data)
                if self.refuse_mint:
                    return Answer(400, {"error": "invalid_client", "error_description": "Client credentials invalid"})
                token = f"shpat_{len(self.mints)}"
                self.valid.add(token)
            return Answer(200, {"access_token": token, "scope": "read_orders,write_orders",
                                "expires_in": self.lifetime})
        token = headers["X-Shopify-Access-Token"]
        self.graphql_tokens.append(token)
        return Answer(200, OK) if token in self.valid else Answer(401, INVALID)


def tokens(shopify: Shopify, redis_client=None, clock=None) -> ClientCredentials:
    clock = clock or Clock()
    return ClientCredentials(SHOP, redis_client or fakeredis.FakeRedis(), session=shopify, clock=clock,
                             sleep=clock.sleep)


def test_the_grant_is_a_form_post_with_the_client_id_and_secret():
    shopify = Shopify()
    assert tokens(shopify).current() == "shpat_1"
    assert shopify.mints == [{"grant_type": "client_credentials", "client_id": "cid", "client_secret": "secret"}]


def test_every_process_shares_one_token_and_renews_it_ahead_of_expiry():
    shopify, redis_client, clock = Shopify(lifetime=30), fakeredis.FakeRedis(), Clock()
    first, second = tokens(shopify, redis_client, clock), tokens(shopify, redis_client, clock)
    assert first.current() == second.current() == "shpat_1"
    clock.now += 23  # 7 s left of 30: still more than a fifth
    assert second.current() == "shpat_1"
    clock.now += 1.5  # 5.5 s left: renewed before it can expire mid-call
    assert first.current() == second.current() == "shpat_2"
    assert len(shopify.mints) == 2


def test_a_day_long_token_is_renewed_five_minutes_early():
    shopify, clock = Shopify(lifetime=86399), Clock()
    shared = tokens(shopify, clock=clock)
    shared.current()
    clock.now += 86399 - 301
    assert shared.current() == "shpat_1"
    clock.now += 2
    assert shared.current() == "shpat_2"


def test_processes_racing_for_an_expired_token_mint_once():
    shopify, redis_client = Shopify(lifetime=3600), fakeredis.FakeRedis()
    results = []
    racers = [threading.Thread(target=lambda: results.append(ClientCredentials(SHOP, redis_client, session=shopify)
                                                             .current())) for _ in range(8)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert (results, len(shopify.mints)) == (["shpat_1"] * 8, 1)


def test_a_401_renews_once_and_sends_again():
    shopify, redis_client = Shopify(lifetime=3600), fakeredis.FakeRedis()
    shared = tokens(shopify, redis_client)
    client = ShopifyClient(SHOP, session=shopify, tokens=shared)
    client.query(QUERY, {"id": "gid://shopify/Order/1"})
    shopify.valid.clear()  # revoked
    assert client.query(QUERY, {"id": "gid://shopify/Order/1"}) == {"order": None}
    assert shopify.graphql_tokens == ["shpat_1", "shpat_1", "shpat_2"]


def test_a_401_with_a_token_another_process_already_renewed_takes_that_one():
    shopify, redis_client = Shopify(lifetime=3600), fakeredis.FakeRedis()
    mine, theirs = tokens(shopify, redis_client), tokens(shopify, redis_client)
    assert mine.current() == "shpat_1"
    shopify.valid.clear()
    assert theirs.renew("shpat_1") == "shpat_2"
    assert mine.renew("shpat_1") == "shpat_2"
    assert len(shopify.mints) == 2


def test_a_fresh_token_refused_again_makes_the_shop_unavailable_not_a_failure():
    class Uninstalled(Shopify):
        """The grant still answers, but every token is refused (the app was uninstalled)."""

        def post(self, url, **kwargs):
            answer = super().post(url, **kwargs)
            self.valid.clear()
            return answer

    shopify = Uninstalled(lifetime=3600)
    client = ShopifyClient(SHOP, session=shopify, tokens=tokens(shopify))
    with pytest.raises(ShopUnavailable, match="refused a freshly renewed access token") as raised:
        client.query(QUERY, {"id": "gid://shopify/Order/1"})
    assert (raised.value.reason, raised.value.shop, len(shopify.mints)) == ("auth", "example.myshopify.com", 2)


def test_a_refused_mint_makes_the_shop_unavailable_and_names_the_settings():
    with pytest.raises(ShopUnavailable, match="check SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET") as raised:
        tokens(Shopify(refuse_mint=True)).current()
    assert raised.value.reason == "auth"
    assert "Client credentials invalid" in str(raised.value)


def test_a_mint_that_gets_no_answer_is_retried_later():
    class Down:
        def post(self, url, **kwargs):
            return Answer(503, None, text="")

    with pytest.raises(RetryableShopifyError, match="token request answered HTTP 503"):
        ClientCredentials(SHOP, fakeredis.FakeRedis(), session=Down()).current()


def test_the_token_is_kept_in_redis_with_its_lifetime_and_never_logged(caplog):
    redis_client = fakeredis.FakeRedis()
    caplog.set_level("INFO")
    tokens(Shopify(lifetime=30), redis_client).current()
    assert 29_000 < redis_client.pttl("rw:token:example.myshopify.com") <= 30_000
    assert "shpat_1" not in caplog.text


def test_a_legacy_token_cannot_be_renewed():
    legacy = Shop("example.myshopify.com", "shpat_static", ("s",), "http://shop.test")
    with pytest.raises(ShopUnavailable, match="set a valid SHOPIFY_ACCESS_TOKEN"):
        StaticToken(legacy).renew("shpat_static")
