"""ShipHero public API facts (shared/docs/platforms/shiphero.md, developer.shiphero.com)."""

PLATFORM = "shiphero"
PRODUCTION_URL = "https://public-api.shiphero.com"
GRAPHQL_PATH = "/graphql"
# https://developer.shiphero.com/getting-started/ : POST /auth/token {username, password}
# -> {access_token, expires_in, refresh_token, ...}; POST /auth/refresh {refresh_token}.
TOKEN_PATH = "/auth/token"  # noqa: S105 - a path
REFRESH_PATH = "/auth/refresh"
ACCESS_TOKEN_LIFETIME = 2419200  # 28 days

# Credits (https://developer.shiphero.com/getting-started/#throttling, help.shiphero.com
# article 275): 4004 per account, 60 back per second, no single operation above 4004.
CREDITS_MAX = 4004
CREDITS_PER_SECOND = 60
THROTTLE_ERROR_CODE = 30
#: What a ``user_quota`` question may cost (undocumented: assume one credit).
QUOTA_COST = 1
#: Requests per rolling 5 minutes (HTTP 429 above it).
REQUESTS_PER_WINDOW = 7000
REQUEST_WINDOW_SECONDS = 300

#: Connection page sizes: 100 is the common maximum; the credit budget may lower it.
MAX_PAGE = 100
MIN_PAGE = 10
#: Line items / shipment lines read per order (the nested ``first``).
LINES_PER_ORDER = 25
#: History entries read per order, and most orders per order-history request.
HISTORY_PER_ORDER = 20
HISTORY_BATCH = 50
#: Credits the reconciliation leaves to webhooks and the incremental sync.
RECONCILE_RESERVE = 2000

BACKFILL_DAYS_DEFAULT = 7
INCREMENTAL_MINUTES_DEFAULT = 5
OVERLAP_MINUTES_DEFAULT = 10
RECONCILE_MINUTES_DEFAULT = 60

# Streams
ORDERS_STREAM = "orders"
SHIPMENTS_STREAM = "shipments"
PRODUCTS_STREAM = "products"
RECONCILE_STREAM = "reconcile"

# Webhooks (https://developer.shiphero.com/webhooks)
WEBHOOK_SIGNATURE_HEADER = "X-ShipHero-HMAC-SHA256"
WEBHOOK_MESSAGE_ID_HEADER = "X-Shiphero-Message-ID"
EVENT_ALLOCATED = "Order Allocated"
EVENT_DEALLOCATED = "Order Deallocated"
EVENT_SHIPMENT = "Shipment Update"
EVENT_PO_UPDATE = "PO Update"
EVENT_CANCELED = "Order Canceled"
WEBHOOK_EVENTS = (EVENT_ALLOCATED, EVENT_DEALLOCATED, EVENT_SHIPMENT, EVENT_PO_UPDATE,
                  EVENT_CANCELED)
WEBHOOK_ANSWER = {"code": "200", "Status": "Success", "Message": "Success"}

FULFILLED = "fulfilled"
UNFULFILLED = "unfulfilled"
CANCELED = "canceled"

# Jobs
OP_ORDER_HISTORY = "shiphero.order_history"
OP_PO_CREATE = "shiphero.purchase_order_create"
OP_PO_UPDATE = "shiphero.purchase_order_update"
OP_REGISTER_WEBHOOKS = "shiphero.register_webhooks"
OP_ORDER_REFRESH = "shiphero.order_refresh"
