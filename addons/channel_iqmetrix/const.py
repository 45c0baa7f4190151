"""iQmetrix dropship constants: hosts, token lifetimes, status codes, job names."""

PLATFORM = "iqmetrix"

# https://{service}{env}.iqmetrix.net/v1 where env "demo" is the sandbox.
DROPSHIP_URLS = {
    "production": "https://dropship.iqmetrix.net/v1",
    "sandbox": "https://dropshipdemo.iqmetrix.net/v1",
}
ACCOUNTS_URLS = {
    "production": "https://accounts.iqmetrix.net/v1",
    "sandbox": "https://accountsdemo.iqmetrix.net/v1",
}
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret

REFRESH_TOKEN_LIFETIME_SECONDS = 7 * 86400  # documented; the token answer does not say it
REFRESH_TOKEN_MARGIN_SECONDS = 3600

FEED_STREAM = "feed"  # the stream code, its cursor and its inbox items
FEED_ACCEPT = "application/atom+xml"
IMPORT_BATCH_SIZE = 100  # orders created and confirmed per ORM call
MAX_FEED_PAGES_PER_RUN = 2000  # a guard against a prev-archive chain that never ends

# OrderStatus = ItemStatus (supplier-orders.md); the live API takes the integers.
STATUS_PENDING_SUPPLIER = 0
STATUS_ORDERED = 1
STATUS_SHIPPED = 2
STATUS_BACKORDERED = 3
STATUS_ERROR = 4
STATUS_NOT_AVAILABLE = 5
STATUS_PARTIALLY_SHIPPED = 6
STATUS_CANCELLED = 7
STATUS_OTHER = 8
STATUS_NAMES = {
    STATUS_PENDING_SUPPLIER: "PendingSupplier",
    STATUS_ORDERED: "Ordered",
    STATUS_SHIPPED: "Shipped",
    STATUS_BACKORDERED: "BackOrdered",
    STATUS_ERROR: "Error",
    STATUS_NOT_AVAILABLE: "NotAvailable",
    STATUS_PARTIALLY_SHIPPED: "PartiallyShipped",
    STATUS_CANCELLED: "Cancelled",
    STATUS_OTHER: "Other",
}
STATUS_SELECTION = [(str(code), f"{name} ({code})") for code, name in STATUS_NAMES.items()]

ORDER_STATUS_ENDPOINT = "OrderStatusUpdate"
ITEM_STATUS_ENDPOINT = "ItemStatusUpdate"

JOB_PUSH_STATUS = "iqmetrix.push_status"
