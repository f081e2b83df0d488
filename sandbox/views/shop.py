"""The shop, the app's installation and its webhook subscriptions."""

from __future__ import annotations

from sandbox.dates import graphql_datetime
from sandbox.ids import gid
from sandbox.store import Store

SHOP_ID = 548380009
PLAN_NAMES = {"standard": "Shopify", "advanced": "Advanced", "plus": "Shopify Plus", "enterprise": "Enterprise",
              "development": "Development"}


def shop_view(store: Store) -> dict:
    shop = store.shop
    url = f"https://{shop['domain']}"
    return {
        "__typename": "Shop",
        "id": gid("Shop", SHOP_ID), "name": shop["name"], "myshopifyDomain": shop["domain"], "url": url,
        "currencyCode": shop["currency"], "enabledPresentmentCurrencies": [shop["currency"]],
        "email": shop["email"], "contactEmail": shop["email"], "shopOwnerName": "Shop Owner", "description": None,
        "ianaTimezone": shop["timezone"], "timezoneAbbreviation": "EST", "timezoneOffset": "-0500",
        "timezoneOffsetMinutes": -300, "taxesIncluded": False, "taxShipping": False,
        "weightUnit": "KILOGRAMS", "unitSystem": "METRIC_SYSTEM",
        "orderNumberFormatPrefix": store.config.order_name_prefix,
        "orderNumberFormatSuffix": store.config.order_name_suffix, "setupRequired": False,
        "checkoutApiSupported": True, "transactionalSmsDisabled": False,
        "marketingSmsConsentEnabledAtCheckout": False,
        "createdAt": graphql_datetime(shop["created_at"]), "updatedAt": graphql_datetime(shop["created_at"]),
        "primaryDomain": {"id": gid("Domain", SHOP_ID), "host": shop["domain"], "url": url, "sslEnabled": True},
        "plan": {
            "publicDisplayName": PLAN_NAMES[store.config.plan],
            "partnerDevelopment": store.config.plan == "development",
            "shopifyPlus": store.config.plan in ("plus", "enterprise"),
        },
    }


def app_installation_view(store: Store) -> dict:
    return {
        "__typename": "AppInstallation",
        "id": gid("AppInstallation", 1),
        "accessScopes": [{"handle": scope, "description": f"{scope.replace('_', ' ').capitalize()}"}
                         for scope in store.config.scopes],
        "launchUrl": f"https://{store.shop['domain']}/admin/apps/sandbox-app",
        "uninstallUrl": None, "activeSubscriptions": [],
    }


def webhook_subscription_view(subscription: dict) -> dict:
    return {
        "__typename": "WebhookSubscription",
        "id": gid("WebhookSubscription", subscription["id"]), "legacyResourceId": str(subscription["id"]),
        "topic": subscription["topic"], "uri": subscription["uri"], "filter": subscription["filter"],
        "includeFields": list(subscription["include_fields"]), "format": subscription["format"],
        "metafieldNamespaces": list(subscription["metafield_namespaces"]), "metafields": [],
        "name": subscription["name"],
        "apiVersion": {"handle": "2026-04", "displayName": "2026-04", "supported": True},
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": subscription["uri"]},
        "callbackUrl": subscription["uri"],
        "createdAt": graphql_datetime(subscription["created_at"]),
        "updatedAt": graphql_datetime(subscription["created_at"]),
    }
