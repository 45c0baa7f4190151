# ruff: noqa: E501 - SDL lines follow the schema, not the line length
"""The subset of the Shopify Admin GraphQL schema the Shopify simulator serves, as SDL.

Names, nullability and argument lists follow the Admin API reference of the pinned
version (https://shopify.dev/docs/api/admin-graphql/2025-01): ``QueryRoot`` / ``Mutation``
roots, ``Order`` (https://shopify.dev/docs/api/admin-graphql/2025-01/objects/Order),
connections with ``pageInfo`` (https://shopify.dev/docs/api/usage/pagination-graphql),
``productSet``, ``inventorySetQuantities`` (``compareQuantity`` up to 2025-10,
``changeFromQuantity`` from 2026-01: https://shopify.dev/docs/api/admin-graphql/latest/input-objects/InventoryQuantityInput),
``metafieldsSet``, ``collectionCreate``, ``fulfillmentCreate``, ``webhookSubscriptionCreate``,
``bulkOperationRunQuery`` and ``BulkOperation``. channel_shopify's schema test checks every
type and field here against the real 2025-01 schema it keeps as test data.
"""

CONNECTION_ARGS = "first: Int, after: String, last: Int, before: String, reverse: Boolean = false"

SDL = """
schema { query: QueryRoot mutation: Mutation }

scalar DateTime
scalar Decimal
scalar Money
scalar URL
scalar UnsignedInt64

interface Node { id: ID! }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

enum CurrencyCode { USD CAD EUR GBP AUD }
enum CountryCode { US CA GB FR DE AU NL BE ES IT }
enum OrderSortKeys { CREATED_AT ID PROCESSED_AT UPDATED_AT }
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
enum OrderDisplayFinancialStatus {
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
enum OrderDisplayFulfillmentStatus {
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT RESTOCKED
  SCHEDULED UNFULFILLED }
enum FulfillmentStatus { CANCELLED ERROR FAILURE SUCCESS OPEN PENDING }
enum FulfillmentOrderStatus { CANCELLED CLOSED INCOMPLETE IN_PROGRESS ON_HOLD OPEN SCHEDULED }
enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
enum BulkOperationType { MUTATION QUERY }
enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }
enum ProductVariantInventoryPolicy { CONTINUE DENY }
enum WebhookSubscriptionFormat { JSON XML }
enum WebhookSubscriptionTopic {
  APP_UNINSTALLED BULK_OPERATIONS_FINISH INVENTORY_LEVELS_UPDATE ORDERS_CANCELLED
  ORDERS_CREATE ORDERS_UPDATED PRODUCTS_UPDATE }
enum InventorySetQuantitiesUserErrorCode {
  COMPARE_QUANTITY_REQUIRED COMPARE_QUANTITY_STALE INVALID_INVENTORY_ITEM INVALID_LOCATION
  INVALID_NAME INVALID_QUANTITY_NEGATIVE INVALID_REASON ITEM_NOT_STOCKED_AT_LOCATION }
enum ProductSetUserErrorCode { INVALID_INPUT INVALID_VARIANT HANDLE_NOT_UNIQUE NOT_FOUND }
enum MetafieldsSetUserErrorCode { BLANK INVALID INVALID_TYPE TOO_LONG }
enum BulkOperationUserErrorCode { INVALID OPERATION_IN_PROGRESS }

type QueryRoot {
  shop: Shop!
  orders(%(conn)s, sortKey: OrderSortKeys = PROCESSED_AT, query: String, savedSearchId: ID): OrderConnection!
  order(id: ID!): Order
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
  webhookSubscriptions(%(conn)s, query: String, callbackUrl: URL, format: WebhookSubscriptionFormat, topics: [WebhookSubscriptionTopic!]): WebhookSubscriptionConnection!
  collectionByHandle(handle: String!): Collection
  locations(%(conn)s, query: String, includeLegacy: Boolean = false, includeInactive: Boolean = false): LocationConnection!
}

type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean! = true): BulkOperationRunQueryPayload
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  productSet(input: ProductSetInput!, synchronous: Boolean = true, identifier: ProductSetIdentifiers): ProductSetPayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  collectionCreate(input: CollectionInput!): CollectionCreatePayload
  fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
}

type Shop { name: String! myshopifyDomain: String! currencyCode: CurrencyCode! }

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

type Customer implements Node {
  id: ID! email: String firstName: String lastName: String phone: String
}

type MailingAddress implements Node {
  id: ID! name: String firstName: String lastName: String company: String
  address1: String address2: String city: String zip: String provinceCode: String
  countryCodeV2: CountryCode phone: String
}

type TaxLine { title: String! rate: Float priceSet: MoneyBag! }

type LineItem implements Node {
  id: ID! sku: String name: String! quantity: Int! currentQuantity: Int!
  originalUnitPriceSet: MoneyBag! taxLines(first: Int): [TaxLine!]!
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

type ShippingLine { id: ID title: String! code: String originalPriceSet: MoneyBag! }
type ShippingLineEdge { cursor: String! node: ShippingLine! }
type ShippingLineConnection { edges: [ShippingLineEdge!]! nodes: [ShippingLine!]! pageInfo: PageInfo! }

type FulfillmentTrackingInfo { number: String company: String url: URL }
type Fulfillment implements Node {
  id: ID! status: FulfillmentStatus! createdAt: DateTime!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}

type FulfillmentOrderLineItem implements Node {
  id: ID! remainingQuantity: Int! totalQuantity: Int! lineItem: LineItem!
}
type FulfillmentOrderLineItemEdge { cursor: String! node: FulfillmentOrderLineItem! }
type FulfillmentOrderLineItemConnection {
  edges: [FulfillmentOrderLineItemEdge!]! nodes: [FulfillmentOrderLineItem!]! pageInfo: PageInfo! }
type FulfillmentOrder implements Node {
  id: ID! status: FulfillmentOrderStatus!
  lineItems(%(conn)s): FulfillmentOrderLineItemConnection!
}
type FulfillmentOrderEdge { cursor: String! node: FulfillmentOrder! }
type FulfillmentOrderConnection {
  edges: [FulfillmentOrderEdge!]! nodes: [FulfillmentOrder!]! pageInfo: PageInfo! }

type Order implements Node {
  id: ID! name: String! createdAt: DateTime! updatedAt: DateTime! cancelledAt: DateTime
  cancelReason: OrderCancelReason email: String phone: String
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  currencyCode: CurrencyCode!
  totalPriceSet: MoneyBag! totalTaxSet: MoneyBag totalRefundedSet: MoneyBag!
  customer: Customer shippingAddress: MailingAddress
  fulfillments(first: Int): [Fulfillment!]!
  lineItems(%(conn)s): LineItemConnection!
  shippingLines(%(conn)s, includeRemovals: Boolean = false): ShippingLineConnection!
  fulfillmentOrders(%(conn)s, displayable: Boolean = false, query: String): FulfillmentOrderConnection!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

type Location implements Node { id: ID! name: String! }
type LocationEdge { cursor: String! node: Location! }
type LocationConnection { edges: [LocationEdge!]! nodes: [Location!]! pageInfo: PageInfo! }

type InventoryQuantity { name: String! quantity: Int! }
type InventoryLevel implements Node {
  id: ID! location: Location! quantities(names: [String!]!): [InventoryQuantity!]!
}
type InventoryItem implements Node {
  id: ID! sku: String tracked: Boolean! inventoryLevel(locationId: ID!): InventoryLevel
}
type InventoryChange { name: String! delta: Int! quantityAfterChange: Int }
type InventoryAdjustmentGroup implements Node {
  id: ID! createdAt: DateTime! reason: String! referenceDocumentUri: String
  changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
}
type InventorySetQuantitiesUserError {
  code: InventorySetQuantitiesUserErrorCode field: [String!] message: String! }
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]! }

input InventoryQuantityInput {
  inventoryItemId: ID! locationId: ID! quantity: Int! %(compare)s
}
input InventorySetQuantitiesInput {
  reason: String! name: String! referenceDocumentUri: String
  quantities: [InventoryQuantityInput!]! %(ignore)s
}

type ProductVariant implements Node {
  id: ID! sku: String price: Money! barcode: String inventoryItem: InventoryItem!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection {
  edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }
type Product implements Node {
  id: ID! handle: String! title: String! status: ProductStatus!
  variants(%(conn)s): ProductVariantConnection!
}
type ProductSetUserError { code: ProductSetUserErrorCode field: [String!] message: String! }
type ProductSetPayload { product: Product userErrors: [ProductSetUserError!]! }

input ProductSetIdentifiers { id: ID handle: String }
input OptionValueSetInput { id: ID name: String }
input OptionSetInput { id: ID name: String position: Int values: [OptionValueSetInput!] }
input VariantOptionValueInput { id: ID name: String optionId: ID optionName: String }
input WeightInput { value: Float! unit: WeightUnit! }
input InventoryItemMeasurementInput { weight: WeightInput }
input InventoryItemInput {
  sku: String cost: Decimal tracked: Boolean measurement: InventoryItemMeasurementInput
  requiresShipping: Boolean
}
input ProductVariantSetInput {
  id: ID optionValues: [VariantOptionValueInput!]! price: Money sku: String barcode: String
  position: Int compareAtPrice: Money inventoryItem: InventoryItemInput
  inventoryPolicy: ProductVariantInventoryPolicy taxable: Boolean
}
input ProductSetInput {
  descriptionHtml: String handle: String productType: String tags: [String!] title: String
  vendor: String status: ProductStatus collections: [ID!] productOptions: [OptionSetInput!]
  variants: [ProductVariantSetInput!]
}

type Metafield implements Node {
  id: ID! key: String! namespace: String! value: String! type: String! }
type MetafieldsSetUserError {
  code: MetafieldsSetUserErrorCode field: [String!] message: String! elementIndex: Int }
type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }
input MetafieldsSetInput {
  ownerId: ID! namespace: String key: String! value: String! compareDigest: String type: String }

type UserError { field: [String!] message: String! }
type Collection implements Node { id: ID! handle: String! title: String! }
type CollectionCreatePayload { collection: Collection userErrors: [UserError!]! }
input CollectionInput { descriptionHtml: String handle: String id: ID products: [ID!] title: String }

input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
input FulfillmentOrderLineItemsInput {
  fulfillmentOrderId: ID! fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!] }
input FulfillmentTrackingInput {
  number: String url: URL company: String numbers: [String!] urls: [URL!] }
input FulfillmentInput {
  trackingInfo: FulfillmentTrackingInput notifyCustomer: Boolean
  lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]! }
type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }

type WebhookHttpEndpoint { callbackUrl: URL! }
union WebhookSubscriptionEndpoint = WebhookHttpEndpoint
type WebhookSubscription implements Node {
  id: ID! topic: WebhookSubscriptionTopic! format: WebhookSubscriptionFormat!
  endpoint: WebhookSubscriptionEndpoint!
}
type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
type WebhookSubscriptionConnection {
  edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo! }
input WebhookSubscriptionInput {
  format: WebhookSubscriptionFormat includeFields: [String!] callbackUrl: URL }
type WebhookSubscriptionCreatePayload {
  webhookSubscription: WebhookSubscription userErrors: [UserError!]! }

type BulkOperation implements Node {
  id: ID! status: BulkOperationStatus! errorCode: BulkOperationErrorCode
  objectCount: UnsignedInt64! rootObjectCount: UnsignedInt64! fileSize: UnsignedInt64
  url: URL partialDataUrl: URL query: String! type: BulkOperationType!
  createdAt: DateTime! completedAt: DateTime
}
type BulkOperationUserError {
  code: BulkOperationUserErrorCode field: [String!] message: String! }
type BulkOperationRunQueryPayload {
  bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
"""

#: API version from which InventoryQuantityInput has ``changeFromQuantity`` (and no
#: ``compareQuantity``): the 2026-01 Admin schema.
CHANGE_FROM_VERSION = '2026-01'


def sdl_for(version):
    """The SDL served for ``version``."""
    if version >= CHANGE_FROM_VERSION:
        compare, ignore = 'changeFromQuantity: Int', ''
    else:
        compare, ignore = 'compareQuantity: Int', 'ignoreCompareQuantity: Boolean = false'
    return SDL % {'conn': CONNECTION_ARGS, 'compare': compare, 'ignore': ignore}
