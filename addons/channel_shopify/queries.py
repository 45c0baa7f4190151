"""Every GraphQL document the connector sends (Admin API, the pinned version); each is
validated against the real Admin schema of that version in tests/test_schema.py."""

SHOP = """query Shop { shop { name myshopifyDomain } }"""

ORDER_FIELDS = """
  id name createdAt updatedAt cancelledAt cancelReason email phone
  displayFinancialStatus displayFulfillmentStatus currencyCode
  totalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } }
  customer { id email firstName lastName phone }
  shippingAddress { name firstName lastName company address1 address2 city zip
                    provinceCode countryCodeV2 phone }
  fulfillments(first: 3) { id status createdAt trackingInfo(first: 2) { number company } }
"""
LINE_FIELDS = """
  id sku name quantity currentQuantity
  originalUnitPriceSet { shopMoney { amount } }
  taxLines { title rate priceSet { shopMoney { amount } } }
"""
SHIPPING_LINE_FIELDS = "title code originalPriceSet { shopMoney { amount } }"

ORDERS = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node { %s
      lineItems(first: %d) { pageInfo { hasNextPage endCursor } edges { node { %s } } }
      shippingLines(first: %d) { edges { node { %s } } }
    } }
  }
}
"""

#: The bulk query: connections without ``first``, children become their own JSONL lines
#: with ``__parentId`` (https://shopify.dev/docs/api/usage/bulk-operations/queries).
BULK_ORDERS = """
{
  orders(query: "%s", sortKey: UPDATED_AT) {
    edges { node { %s
      lineItems { edges { node { %s } } }
      shippingLines { edges { node { %s } } }
    } }
  }
}
"""

BULK_RUN = """
mutation BulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

BULK_NODE = """
query BulkNode($id: ID!) {
  node(id: $id) { ... on BulkOperation {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl } }
}
"""

WEBHOOKS = """
query Webhooks($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id topic endpoint { __typename
      ... on WebhookHttpEndpoint { callbackUrl } } } }
  }
}
"""

WEBHOOK_CREATE = """
mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""

INVENTORY_LEVELS = """
query Levels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) { ... on InventoryItem { id
    inventoryLevel(locationId: $locationId) {
      quantities(names: ["available"]) { name quantity } } } }
}
"""

INVENTORY_SET = """
mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { reason changes { name delta } }
    userErrors { code field message }
  }
}
"""

PRODUCT_SET = """
mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id handle status
      variants(first: 100) { edges { node { id sku inventoryItem { id } } } } }
    userErrors { code field message }
  }
}
"""

METAFIELDS_SET = """
mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id key namespace }
    userErrors { code field message }
  }
}
"""

COLLECTION_BY_HANDLE = """
query CollectionByHandle($handle: String!) { collectionByHandle(handle: $handle) { id } }
"""

COLLECTION_CREATE = """
mutation CollectionCreate($input: CollectionInput!) {
  collectionCreate(input: $input) { collection { id handle } userErrors { field message } }
}
"""

FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) { id fulfillmentOrders(first: 5) { edges { node { id status
    lineItems(first: 50) { edges { node { id remainingQuantity
      lineItem { sku } } } } } } } }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""


ORDER_MORE_LINES = """
query OrderLines($id: ID!, $after: String) {
  order(id: $id) { id
    lineItems(first: %d, after: $after) { pageInfo { hasNextPage endCursor }
      edges { node { %s } } } }
}
"""


ORDER_BY_ID = """
query OrderById($id: ID!) {
  order(id: $id) { %s
    lineItems(first: %d) { pageInfo { hasNextPage endCursor } edges { node { %s } } }
    shippingLines(first: %d) { edges { node { %s } } }
  }
}
"""


def order_by_id_query(lines, shipping_lines):
    return ORDER_BY_ID % (ORDER_FIELDS, lines, LINE_FIELDS, shipping_lines, SHIPPING_LINE_FIELDS)


def order_more_lines_query(lines):
    return ORDER_MORE_LINES % (lines, LINE_FIELDS)


def orders_query(lines, shipping_lines):
    return ORDERS % (ORDER_FIELDS, lines, LINE_FIELDS, shipping_lines, SHIPPING_LINE_FIELDS)


def bulk_orders_query(search):
    return BULK_ORDERS % (search.replace('"', '\\"'), ORDER_FIELDS, LINE_FIELDS,
                          SHIPPING_LINE_FIELDS)
