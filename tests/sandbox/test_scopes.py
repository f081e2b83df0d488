"""Access scopes and protected customer data, as a token's grants decide what it may read."""

from sandbox.config import DEFAULT_SCOPES
from sandbox.testing import sandbox_fixtures

SEED = "gid://shopify/Order/450789469"
STOCK = """{ productVariant(id: "gid://shopify/ProductVariant/49148385") { inventoryItem {
    inventoryLevels(first: 5) { nodes { quantities(names: ["available"]) { quantity } location { %s } } } } } }"""
WITHOUT_LOCATIONS = [scope for scope in DEFAULT_SCOPES if scope != "read_locations"]

sandbox_server, shop = sandbox_fixtures()


def test_the_default_scopes_read_location_fields_and_the_installation_lists_them(shop):
    levels = shop.data(STOCK % "id isActive fulfillsOnlineOrders")["productVariant"]["inventoryItem"]
    assert levels["inventoryLevels"]["nodes"][0]["location"] == {
        "id": "gid://shopify/Location/1", "isActive": True, "fulfillsOnlineOrders": True}

    shop.configure(scopes=["write_orders", "read_products"])
    scopes = shop.data("{ currentAppInstallation { accessScopes { handle } } }")
    assert scopes["currentAppInstallation"]["accessScopes"] == [{"handle": "write_orders"},
                                                                 {"handle": "read_products"}]


def test_without_read_locations_only_a_locations_id_is_readable(shop):
    shop.configure(scopes=WITHOUT_LOCATIONS)

    ids = shop.data(STOCK % "id")["productVariant"]["inventoryItem"]["inventoryLevels"]["nodes"]
    assert ids[0]["location"] == {"id": "gid://shopify/Location/1"}
    body = shop.gql(STOCK % "id isActive")
    assert body["data"] == {"productVariant": None}
    [error] = body["errors"]
    assert error["message"] == "Access denied for isActive field. Required access: `read_locations` access scope."
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["path"][-2:] == ["location", "isActive"]


def test_the_location_query_gives_the_id_with_read_inventory_and_the_rest_with_read_locations(shop):
    query = '{ location(id: "gid://shopify/Location/1") { id %s } }'
    shop.configure(scopes=WITHOUT_LOCATIONS)
    assert shop.data(query % "") == {"location": {"id": "gid://shopify/Location/1"}}
    assert shop.gql(query % "name")["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"

    shop.configure(scopes=["read_orders"])
    error = shop.gql(query % "")["errors"][0]
    assert error["message"] == "Access denied for location field. Required access: `read_locations` access scope."

    shop.configure(scopes=DEFAULT_SCOPES)
    assert shop.data(query % "name") == {"location": {"id": "gid://shopify/Location/1", "name": "Main warehouse"}}


def test_without_protected_customer_data_an_orders_customer_fields_read_null(shop):
    query = f"""{{ order(id: "{SEED}") {{ name email phone customer {{ id }} shippingAddress {{ city }}
        billingAddress {{ city }} displayAddress {{ city }} }} }}"""
    assert shop.data(query)["order"]["shippingAddress"] == {"city": "Louisville"}

    shop.configure(protected_customer_data=False)

    assert shop.data(query) == {"order": {"name": "#1001", "email": None, "phone": None, "customer": None,
                                          "shippingAddress": None, "billingAddress": None, "displayAddress": None}}
