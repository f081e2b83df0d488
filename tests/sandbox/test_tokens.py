"""A Dev Dashboard app: tokens minted with the client credentials grant, expiring, revocable."""

import time

import pytest
import requests

from sandbox.testing import running_sandbox

CLIENT_ID = "sandbox-client-id"
SECRET = "shpss_sandbox_secret"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
SHOP = "{ shop { name } }"


@pytest.fixture(scope="module")
def sandbox_server():
    with running_sandbox(token=None, client_id=CLIENT_ID, client_secret=SECRET) as client:
        yield client


@pytest.fixture
def shop(sandbox_server):
    sandbox_server.reset()
    sandbox_server.revoke_tokens(refuse_mint=False)
    sandbox_server.token = ""
    return sandbox_server


def oauth(shop, accept_json: bool = True, **params) -> requests.Response:
    headers = {"Accept": "application/json"} if accept_json else {}
    return requests.post(f"{shop.url}/admin/oauth/access_token", data=params, headers=headers, timeout=5)


def test_the_grant_mints_a_new_token_each_time_and_earlier_ones_stay_valid(shop):
    before = shop.tokens()["mints"]
    first = shop.mint(CLIENT_ID, SECRET)
    first_token = shop.token
    second = shop.mint(CLIENT_ID, SECRET)

    assert first.status_code == second.status_code == 200
    body = second.json()
    assert set(body) == {"access_token", "scope", "expires_in"}
    assert body["access_token"].startswith("shpat_") and body["access_token"] != first_token
    assert body["expires_in"] == 86399
    assert body["scope"].split(",") == shop.configure()["scopes"]
    assert "read_orders" in body["scope"].split(",")
    for token in (first_token, shop.token):
        assert shop.post_graphql(SHOP, token=token).status_code == 200
    assert shop.tokens()["mints"] == before + 2


def test_minting_can_be_told_to_revoke_the_earlier_tokens(shop):
    shop.configure(mint_revokes_earlier=True)
    shop.mint(CLIENT_ID, SECRET)
    first = shop.token
    shop.mint(CLIENT_ID, SECRET)

    assert shop.post_graphql(SHOP, token=first).status_code == 401
    assert shop.post_graphql(SHOP).status_code == 200
    assert shop.tokens()["live_count"] == 1


def test_json_is_accepted_as_well_as_a_form(shop):
    response = requests.post(f"{shop.url}/admin/oauth/access_token", timeout=5, json={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET})

    assert response.status_code == 200
    assert shop.post_graphql(SHOP, token=response.json()["access_token"]).status_code == 200


@pytest.mark.parametrize(("params", "error"), [
    ({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "wrong"}, "invalid_client"),
    ({"grant_type": "client_credentials", "client_id": "other-app", "client_secret": SECRET}, "invalid_client"),
    ({"grant_type": "authorization_code", "client_id": CLIENT_ID, "client_secret": SECRET},
     "unsupported_grant_type"),
    ({"client_id": CLIENT_ID, "client_secret": SECRET}, "invalid_request"),
])
def test_a_bad_request_gets_an_oauth_error_and_no_token(shop, params, error):
    before = shop.tokens()

    response = oauth(shop, **params)

    assert response.status_code == 400
    assert response.json()["error"] == error and response.json()["error_description"]
    after = shop.tokens()
    assert (after["mints"], after["refused"]) == (before["mints"], before["refused"] + 1)


def test_a_refusal_is_an_html_page_unless_json_is_accepted(shop):
    response = oauth(shop, accept_json=False, grant_type="client_credentials", client_id=CLIENT_ID,
                     client_secret="wrong")

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Oauth error invalid_client" in response.text


def test_unknown_expired_and_revoked_tokens_get_shopifys_401(shop):
    shop.configure(token_lifetime=0.3)
    shop.mint(CLIENT_ID, SECRET)
    expiring = shop.token
    assert shop.post_graphql(SHOP).status_code == 200
    time.sleep(0.35)
    shop.configure(token_lifetime=86399)
    shop.mint(CLIENT_ID, SECRET)
    revoked = shop.token
    assert shop.revoke_tokens()["revoked_now"] == 1

    for token in ("shpat_unknown", expiring, revoked):
        response = shop.post_graphql(SHOP, token=token)
        assert (response.status_code, response.json()) == (401, INVALID_TOKEN)
    refused = [call["token_state"] for call in shop.calls() if call["status"] == 401]
    assert refused == ["unknown", "expired", "revoked"]


def test_an_uninstalled_app_has_its_tokens_revoked_and_its_grant_refused_until_reinstalled(shop):
    shop.mint(CLIENT_ID, SECRET)

    assert shop.revoke_tokens(refuse_mint=True)["live_count"] == 0
    assert shop.post_graphql(SHOP).status_code == 401
    refused = shop.mint(CLIENT_ID, SECRET)
    assert (refused.status_code, refused.json()["error"]) == (400, "app_not_installed")

    shop.revoke_tokens(refuse_mint=False)
    assert shop.mint(CLIENT_ID, SECRET).status_code == 200
    assert shop.post_graphql(SHOP).status_code == 200


def test_mints_and_refusals_are_in_the_calls_log(shop):
    shop.mint(CLIENT_ID, SECRET)
    oauth(shop, grant_type="client_credentials", client_id=CLIENT_ID, client_secret="wrong")

    grants = [(c["operation"], c["type"], c["status"], c["errors"], c["charged"]) for c in shop.calls()]
    assert grants == [("oauth/access_token", "oauth", 200, [], 0),
                      ("oauth/access_token", "oauth", 400, ["invalid_client"], 0)]


def test_a_fault_can_fail_the_grant(shop):
    shop.faults({"field": "oauth/access_token", "action": "fail", "status": 503, "times": 1},
                {"field": "*", "action": "fail", "status": 500})

    assert shop.mint(CLIENT_ID, SECRET).status_code == 503
    assert shop.mint(CLIENT_ID, SECRET).status_code == 200


def test_the_static_token_of_a_legacy_app_works_beside_minted_ones():
    with running_sandbox(token="shpat_legacy", client_id=CLIENT_ID, client_secret=SECRET) as shop:
        assert shop.post_graphql(SHOP).status_code == 200
        assert shop.post_graphql(SHOP, token="shpat_other").status_code == 401
        shop.mint(CLIENT_ID, SECRET)
        assert shop.post_graphql(SHOP).status_code == 200


def test_without_credentials_or_a_static_token_the_grant_is_off_and_any_token_works():
    with running_sandbox(token=None) as shop:
        assert shop.post_graphql(SHOP, token="anything").status_code == 200
        assert shop.post_graphql(SHOP, token="").status_code == 401
        response = shop.mint(CLIENT_ID, SECRET)
        assert (response.status_code, response.json()["error"]) == (400, "invalid_client")
