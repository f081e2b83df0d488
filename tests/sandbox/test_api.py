"""The sandbox answers the Admin API as Shopify does: token, validation errors, reads of the seed shop."""

import requests

from sandbox.testing import sandbox_fixtures

ORDER = "gid://shopify/Order/450789469"


sandbox_server, shop = sandbox_fixtures()


def test_a_wrong_or_missing_token_is_refused_with_shopifys_401(shop):
    for token in ("wrong", ""):
        response = shop.post_graphql("{ shop { name } }", token=token)
        assert response.status_code == 401
        assert response.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }


def test_an_invalid_document_gets_200_with_errors_and_no_data(shop):
    response = shop.post_graphql('{ order(id: "gid://shopify/Order/1") { id inventedField } }')

    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [{
        "message": "Field 'inventedField' doesn't exist on type 'Order'",
        "locations": [{"line": 1, "column": 43}],
        "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "inventedField"},
    }]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 0


def test_a_missing_required_argument_and_a_bad_variable_are_reported(shop):
    missing = shop.gql("{ order { id } }")["errors"][0]
    assert missing["message"] == "Field 'order' is missing required arguments: id"
    assert missing["extensions"]["code"] == "missingRequiredArguments"

    bad = shop.gql("query($id: ID!) { order(id: $id) { id } }")["errors"][0]
    assert bad["message"] == "Variable $id of type ID! was provided invalid value"
    assert bad["extensions"]["code"] == "INVALID_VARIABLE"


def test_the_seed_order_reads_as_in_shopifys_sample(shop):
    order = shop.data("""query($id: ID!) { order(id: $id) {
        id legacyResourceId name tags email phone cancelledAt currencyCode sourceName
        displayFinancialStatus displayFulfillmentStatus
        customer { id } shippingAddress { firstName lastName address1 city provinceCode countryCodeV2 zip }
        customAttributes { key value } totalPriceSet { shopMoney { amount currencyCode } }
        shippingLine { title originalPriceSet { shopMoney { amount } } }
        lineItems(first: 10) { nodes { id sku quantity currentQuantity isGiftCard requiresShipping
            variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } } }
    } }""", id=ORDER)["order"]

    assert order["name"] == "#1001" and order["legacyResourceId"] == "450789469"
    assert order["tags"] == ["External", "Inbound", "Outbound"]
    assert order["customer"] == {"id": "gid://shopify/Customer/207119551"}
    assert order["shippingAddress"]["provinceCode"] == "KY" and order["shippingAddress"]["countryCodeV2"] == "US"
    assert order["customAttributes"][0] == {"key": "custom engraving", "value": "Happy Birthday"}
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "598.94", "currencyCode": "USD"}
    assert order["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert order["shippingLine"] == {"title": "Free Shipping", "originalPriceSet": {"shopMoney": {"amount": "0.0"}}}
    lines = {line["id"]: line for line in order["lineItems"]["nodes"]}
    red = lines["gid://shopify/LineItem/518995019"]
    assert (red["quantity"], red["currentQuantity"], red["sku"]) == (1, 1, "IPOD2008RED")
    assert red["variant"] == {"id": "gid://shopify/ProductVariant/49148385"}
    assert red["originalUnitPriceSet"]["shopMoney"] == {"amount": "199.0", "currencyCode": "USD"}
    assert sorted(line["currentQuantity"] for line in lines.values()) == [0, 0, 1]


def test_unknown_ids_are_null_and_malformed_ids_an_error(shop):
    assert shop.data('{ order(id: "gid://shopify/Order/1") { id } }') == {"order": None}
    assert shop.data('{ order(id: "gid://shopify/Product/632910392") { id } }') == {"order": None}

    error = shop.gql('{ order(id: "450789469") { id } }')["errors"][0]
    assert error["message"] == "Invalid global id '450789469'"
    assert error["path"] == ["order"]


def test_what_the_sandbox_does_not_implement_fails_loudly(shop):
    body = shop.gql(f'{{ order(id: "{ORDER}") {{ id fulfillmentOrders(first: 1) {{ nodes {{ id }} }} }} }}')

    assert body["errors"][0]["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"
    assert "Order.fulfillmentOrders" in body["errors"][0]["message"]
    assert body["data"] == {"order": None}


def test_a_variant_with_its_inventory(shop):
    variant = shop.data("""{ productVariant(id: "gid://shopify/ProductVariant/49148385") {
        price sku inventoryQuantity product { title }
        inventoryItem { unitCost { amount currencyCode } inventoryLevels(first: 5) { nodes {
            quantities(names: ["available", "committed", "reserved", "on_hand"]) { name quantity }
            location { id name } } } }
    } }""")["productVariant"]

    assert (variant["price"], variant["sku"], variant["inventoryQuantity"]) == ("199.00", "IPOD2008RED", 50)
    assert variant["inventoryItem"]["unitCost"] == {"amount": "120.0", "currencyCode": "USD"}
    [level] = variant["inventoryItem"]["inventoryLevels"]["nodes"]
    assert {q["name"]: q["quantity"] for q in level["quantities"]} == {
        "available": 50, "committed": 0, "reserved": 0, "on_hand": 50,
    }
    assert level["location"] == {"id": "gid://shopify/Location/1", "name": "Main warehouse"}


def test_shop_scopes_nodes_and_typename(shop):
    data = shop.data("""{
        shop { name myshopifyDomain currencyCode }
        currentAppInstallation { accessScopes { handle } }
        nodes(ids: ["gid://shopify/Order/450789469", "gid://shopify/Order/1", "gid://shopify/Customer/207119551"]) {
            __typename id ... on Order { name } ... on Customer { email }
        }
    }""")

    assert data["shop"] == {
        "name": "Example Store", "myshopifyDomain": "example.myshopify.com", "currencyCode": "USD",
    }
    scopes = {scope["handle"] for scope in data["currentAppInstallation"]["accessScopes"]}
    assert scopes >= {"read_orders", "write_draft_orders"}
    assert data["nodes"] == [
        {"__typename": "Order", "id": ORDER, "name": "#1001"},
        None,
        {"__typename": "Customer", "id": "gid://shopify/Customer/207119551", "email": "bob.norman@mail.example.com"},
    ]


def test_a_field_needing_a_scope_not_granted_is_access_denied(shop):
    scopes = [scope for scope in requests.get(f"{shop.sandbox.url}/_sandbox/config", timeout=5).json()["scopes"]
              if scope != "read_customers"]
    requests.post(f"{shop.sandbox.url}/_sandbox/config", json={"scopes": scopes}, timeout=5).raise_for_status()
    body = shop.gql('{ customer(id: "gid://shopify/Customer/207119551") { id } }')

    assert body["data"] == {"customer": None}
    assert body["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
    assert body["errors"][0]["message"] == (
        "Access denied for customer field. Required access: `read_customers` access scope."
    )


def test_a_body_without_a_query_is_a_400(shop):
    response = requests.post(shop.sandbox.graphql_url, json={"variables": {}},
                             headers={"X-Shopify-Access-Token": shop.token}, timeout=5)

    assert response.status_code == 400
