"""Every GraphQL document the service sends to the Admin API.

Each one is validated against shared/shopify/admin-2026-04.graphql in tests/test_documents.py.
Select only what the code reads: the cost of a query is paid from the shop's API budget.
"""

# Every object costs a point a line, so a line reads only what planning needs: the selling plan
# and the stock are scalars or null for almost every line (SUBSCRIPTION_PRODUCTS and VARIANT_STOCK
# read the rest for the few lines that need it), and the original's shipping method only when a
# recipe ships the replacement by it.
ORDER_FOR_REPLACEMENT = """
query OrderForReplacement($id: ID!, $withShippingLine: Boolean!) {
  order(id: $id) {
    id
    name
    tags
    email
    cancelledAt
    updatedAt
    currencyCode
    customer { id }
    shippingAddress { ...Address }
    billingAddress { ...Address }
    shippingLine @include(if: $withShippingLine) { title }
    lineItems(first: 100) {
      nodes {
        id
        sku
        title
        quantity
        currentQuantity
        unfulfilledQuantity
        requiresShipping
        isGiftCard
        sellingPlan { sellingPlanId }
        variant { id sellableOnlineQuantity }
        originalUnitPriceSet { shopMoney { amount } }
      }
    }
  }
}

fragment Address on MailingAddress {
  firstName lastName company address1 address2 city provinceCode countryCodeV2 zip phone
}
"""

ORDER_EXISTS = """
query OrderExists($id: ID!) {
  order(id: $id) { id }
}
"""

# Draft orders cannot hold subscription lines; asked only for lines bought on a selling plan.
SUBSCRIPTION_PRODUCTS = """
query SubscriptionProducts($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      product { requiresSellingPlan }
    }
  }
}
"""

# Names are free-form (#1001, EN1001, 1001-A) and not unique: the caller compares them itself.
FIND_ORDER_BY_NAME = """
query FindOrderByName($query: String!) {
  orders(first: 10, query: $query) { nodes { id name } }
}
"""

ORDER_NAME_FORMAT = """
query OrderNameFormat {
  shop { orderNumberFormatPrefix orderNumberFormatSuffix }
}
"""

LATEST_ORDER_BY_EMAIL = """
query LatestOrderByEmail($query: String!) {
  orders(first: 1, query: $query, sortKey: CREATED_AT, reverse: true) { nodes { id email } }
}
"""

FIND_REPLACEMENT_DRAFTS = """
query FindReplacementDrafts($query: String!) {
  draftOrders(first: 20, query: $query) {
    nodes {
      id
      name
      status
      ready
      createdAt
      customAttributes { key value }
      order { id name }
    }
  }
}
"""

DRAFT_ORDER_STATE = """
query DraftOrderState($id: ID!) {
  draftOrder(id: $id) {
    id
    name
    status
    ready
    order { id name }
  }
}
"""

DRAFT_ORDER_CREATE = """
mutation DraftOrderCreate($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder { id name status ready }
    userErrors { field message }
  }
}
"""

DRAFT_ORDER_COMPLETE = """
mutation DraftOrderComplete($id: ID!) {
  draftOrderComplete(id: $id) {
    draftOrder { id status order { id name } }
    userErrors { field message }
  }
}
"""

TAGS_ADD = """
mutation TagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { ... on Order { updatedAt } }
    userErrors { field message }
  }
}
"""

TAGS_REMOVE = """
mutation TagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    userErrors { field message }
  }
}
"""

ORDERS_TAGGED = """
query OrdersTagged($query: String!, $after: String) {
  orders(first: 50, after: $after, query: $query) {
    nodes { id updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Pages of 5 replacements of up to 25 lines keep the cost under the 1000-point limit of one query.
REPLACEMENT_ORDERS = """
query ReplacementOrders($query: String!, $after: String) {
  orders(first: 5, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes {
      id
      name
      createdAt
      cancelledAt
      note
      currencyCode
      customAttributes { key value }
      lineItems(first: 25) {
        nodes {
          sku
          title
          quantity
          originalUnitPriceSet { shopMoney { amount } }
          variant { inventoryItem { unitCost { amount } } }
        }
        pageInfo { hasNextPage }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

REPLACEMENT_DRAFTS = """
query ReplacementDrafts($query: String!, $after: String) {
  draftOrders(first: 5, after: $after, query: $query) {
    nodes {
      id
      name
      createdAt
      note2
      currencyCode
      customAttributes { key value }
      lineItems(first: 25) {
        nodes {
          sku
          title
          quantity
          originalUnitPriceSet { shopMoney { amount } }
          variant { inventoryItem { unitCost { amount } } }
        }
        pageInfo { hasNextPage }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ACCESS_SCOPES = """
query AccessScopes {
  shop { name }
  currentAppInstallation { accessScopes { handle } }
}
"""

WEBHOOK_SUBSCRIPTIONS = """
query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    nodes { id topic uri filter includeFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri filter includeFields }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTION_UPDATE = """
mutation WebhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri filter includeFields }
    userErrors { field message }
  }
}
"""

# Policy facts: the customer's earlier replacements, and stock where it can be shipped from.
REPLACEMENTS_OF_CUSTOMER = """
query ReplacementsOfCustomer($query: String!) {
  ordersCount(query: $query) { count }
}
"""

# sellableOnlineQuantity: what the online channels may sell, i.e. stock at the locations that
# fulfill online orders, summed by Shopify. Unlike any Location field but `id`, it needs no
# read_locations scope.
VARIANT_STOCK = """
query VariantStock($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      sellableOnlineQuantity
      inventoryItem { tracked }
    }
  }
}
"""

DRAFT_ORDER_DELETE = """
mutation DraftOrderDelete($input: DraftOrderDeleteInput!) {
  draftOrderDelete(input: $input) {
    deletedId
    userErrors { field message }
  }
}
"""

# The recipe's steps on the original order (worker/recipe_steps.py).
ORIGINAL_FOR_RECIPE = """
query OriginalForRecipe($id: ID!) {
  order(id: $id) {
    id
    name
    cancelledAt
    displayFulfillmentStatus
    totalShippingPriceSet { presentmentMoney { amount currencyCode } }
    totalRefundedShippingSet { presentmentMoney { amount } }
    transactions(first: 20) { id kind status gateway }
  }
}
"""

# Mandatory from 2026-04: the same key and input give the first result, never a second refund.
REFUND_CREATE = """
mutation RefundCreate($input: RefundInput!, $key: String!) {
  refundCreate(input: $input) @idempotent(key: $key) {
    refund { id }
    userErrors { field message }
  }
}
"""

RESTOCK_LOCATION = """
query RestockLocation($id: ID!) {
  location(id: $id) { name isActive }
}
"""

ORDER_CANCEL = """
mutation OrderCancel($orderId: ID!, $restock: Boolean!, $reason: OrderCancelReason!, $staffNote: String,
                     $refundMethod: OrderCancelRefundMethodInput) {
  orderCancel(orderId: $orderId, restock: $restock, reason: $reason, notifyCustomer: false, staffNote: $staffNote,
              refundMethod: $refundMethod) {
    job { id done }
    userErrors: orderCancelUserErrors { field message code }
  }
}
"""

# orderCancel's job: the order is cancelled (or not) when it is done.
JOB_STATUS = """
query JobStatus($id: ID!) {
  job(id: $id) { id done }
}
"""

# Reconciliation: refunds made since the last run (their orders were updated then); the lines of
# the few whose note asks for a replacement are read one refund at a time (REFUND_LINES).
RECENT_REFUNDS = """
query RecentRefunds($query: String!, $after: String) {
  orders(first: 25, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { refunds(first: 20) { id note createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

REFUND_LINES = """
query RefundLines($id: ID!) {
  refund(id: $id) {
    id
    note
    order { id }
    refundLineItems(first: 100) { nodes { quantity lineItem { id } } }
  }
}
"""

# The doctor: protected customer data granted, or every address reads as null.
RECENT_SHIPPING_ADDRESSES = """
query RecentShippingAddresses {
  orders(first: 10, sortKey: CREATED_AT, reverse: true) {
    nodes { name requiresShipping shippingAddress { address1 } }
  }
}
"""
