"""Shopify GraphQL Admin API facts (shared/docs/platforms/shopify.md).

https://shopify.dev/docs/api/admin ; https://shopify.dev/docs/api/usage/versioning ;
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
"""

PLATFORM = "shopify"
#: The pinned API version (quarterly releases, each supported at least 12 months).
API_VERSION = "2025-01"
GRAPHQL_PATH = "/admin/api/{version}/graphql.json"
ACCESS_TOKEN_HEADER = "X-Shopify-Access-Token"  # noqa: S105 - a header name

#: The leaky bucket: a single query may cost at most 1000 points; a standard shop's
#: bucket holds 1000 and restores 50 points a second in the older material, 100 in the
#: current docs: the answer's throttleStatus is what counts (read on every answer).
MAX_QUERY_COST = 1000
BUCKET_DEFAULT_MAX = 1000.0
BUCKET_DEFAULT_RESTORE = 50.0
MUTATION_COST = 10
#: Connection pages hold at most 250 items; inputs at most 250 array items.
MAX_PAGE = 250

ORDERS_STREAM = "orders"
RECONCILE_STREAM = "orders_reconcile"
INVENTORY_STREAM = "inventory"
WEBHOOKS_HEALTH_STREAM = "webhooks_health"
#: Each incremental read looks this far behind the last updated_at imported.
OVERLAP_MINUTES = 10
RECONCILE_DAYS = 2
LINES_PER_ORDER = 10
#: Lines read per follow-up query of an order with more lines than a page shows.
MORE_LINES_PAGE = 100
SHIPPING_LINES_PER_ORDER = 5

METAFIELDS_PER_CALL = 25  # metafieldsSet: at most 25 per call (atomic)
INVENTORY_PER_CALL = 250  # inventorySetQuantities quantities per call
INVENTORY_REASON = "correction"
INVENTORY_NAME = "available"
INVENTORY_COMPARE_RETRIES = 3
#: First version whose InventoryQuantityInput has changeFromQuantity (compareQuantity gone).
CHANGE_FROM_VERSION = "2026-01"
BULK_IMPORT_CHUNK = 200  # orders of a bulk result imported per job

OP_PUSH_INVENTORY = "shopify.push_inventory"
OP_PUSH_PRODUCT = "shopify.push_product"
OP_PUSH_FULFILLMENT = "shopify.push_fulfillment"
OP_BULK_START = "shopify.bulk_orders_start"
OP_BULK_POLL = "shopify.bulk_orders_poll"
OP_BULK_IMPORT = "shopify.bulk_orders_import"
OP_CHECK_WEBHOOKS = "shopify.check_webhooks"
BULK_POLL_SECONDS = 10

#: Webhook topics we subscribe to: REST-style header name -> GraphQL enum value
#: (https://shopify.dev/docs/api/admin-graphql/2025-01/enums/WebhookSubscriptionTopic).
TOPICS = {
    "orders/create": "ORDERS_CREATE",
    "orders/updated": "ORDERS_UPDATED",
    "orders/cancelled": "ORDERS_CANCELLED",
    "products/update": "PRODUCTS_UPDATE",
    "inventory_levels/update": "INVENTORY_LEVELS_UPDATE",
    "app/uninstalled": "APP_UNINSTALLED",
    "bulk_operations/finish": "BULK_OPERATIONS_FINISH",
}
#: Mandatory compliance topics: configured in the app's settings (Partner dashboard /
#: shopify.app.toml), not through webhookSubscriptionCreate
#: (https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance).
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled")

HMAC_HEADER = "X-Shopify-Hmac-Sha256"
TOPIC_HEADER = "X-Shopify-Topic"
EVENT_ID_HEADER = "X-Shopify-Event-Id"
WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
SHOP_DOMAIN_HEADER = "X-Shopify-Shop-Domain"
TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"

INVENTORY_SOURCE_CHOICES = [("free_qty", "Free to sell (on hand - reserved)"),
                            ("qty_available", "On hand")]
