"""DSCO (Rithum) Platform API v3 facts (dsco-v3.yaml, docs/platforms/dsco.md)."""

PLATFORM = "dsco"
PRODUCTION_URL = "https://api.dsco.io/api/v3"
STAGING_URL = "https://staging-api.dsco.io/api/v3"

TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path (getAccessToken)
HELLO_PATH = "/hello"  # helloWorld
STREAM_PATH = "/stream"  # createStream (POST), listStreams (GET ?id=)
STREAM_EVENTS_PATH = "/stream/{stream_id}/{partition}/{position}"  # get events / PUT position
ACKNOWLEDGE_PATH = "/order/acknowledge"  # acknowledgeOrders
SINGLE_SHIPMENT_PATH = "/order/singleShipment"  # singleShipment
CANCEL_ITEM_PATH = "/order/item/cancel"  # cancelOrderItem
SHIPMENT_BATCH_PATH = "/order/shipment/batch/small"  # createShipmentSmallBatch (async)
ORDER_PATH = "/order/"  # getOrderById (?orderKey=dscoOrderId&value=)
ORDER_PAGE_PATH = "/order/page"  # getOrders (reconciliation)

#: Reuse a token until 5 minutes before it expires (issue 14).
TOKEN_REUSE_MARGIN_SECONDS = 300
#: The stream's first position (before any event) and the one partition we create.
START_POSITION = "0"
PARTITION = 0
#: Events per read (maxEvents.objectCount: default 1000, max 10,000); a page job imports
#: them in seconds.
EVENTS_PER_PAGE = 100
STREAM_DESCRIPTION = "Odoo channel_dsco order stream"
STREAM_STATUSES = ["created", "shipment_pending"]

POLL_SECONDS_DEFAULT = 10
POLL_SECONDS_MIN = 5

ORDERS_STREAM = "orders"
ID_TYPE = "DSCO_ORDER_ID"
CANCEL_OUT_OF_STOCK = "OUT_OF_STOCK"

OP_ACKNOWLEDGE = "dsco.acknowledge_orders"
OP_UPDATE_POSITION = "dsco.update_stream_position"
OP_PUSH_SHIPMENT = "dsco.push_shipment"
OP_CANCEL_ITEMS = "dsco.cancel_items"

# ---------------------------------------------------------------- catalog and inventory
CATALOG_SMALL_BATCH_PATH = "/catalog/batch/small"  # updateCatalogSmallBatch (JSON array)
CATALOG_LARGE_BATCH_PATH = "/catalog/batch/large"  # updateCatalogLargeBatch (-> dataUrl)
CATALOG_LOG_PATH = "/catalog/log"  # getCatalogChangeLog (?requestId=, scrollId)
INVENTORY_SMALL_BATCH_PATH = "/inventory/batch/small"  # updateInventorySmallBatch
INVENTORY_LOG_PATH = "/inventory/log"  # getInventoryChangeLog

#: dsco-v3.yaml: a small batch takes "up to five megabytes" of JSON, a large batch "up to
#: two gigabytes" of JSON Lines PUT to its dataUrl. The seed's "<= 100 items, chunks of
#: 500" rule predates these limits (the spec wins). A little room is kept under 5 MB.
SMALL_BATCH_MAX_BYTES = 5 * 1024 * 1024 - 16 * 1024
LARGE_BATCH_MAX_BYTES = 2 * 1024 * 1024 * 1024 - 1024 * 1024
#: Catalog changes of one push at or below this size go as a small batch ("everyday
#: changes"); a bigger push (a first listing, a full resend) is one large batch.
CATALOG_SMALL_MAX_BYTES = SMALL_BATCH_MAX_BYTES
#: The change log is read after the batch: first after this delay, then again while
#: DSCO answers PROCESSING, at most this many times.
LOG_POLL_DELAY_SECONDS = 30
LOG_POLL_MAX = 40
CATEGORY_SEPARATOR = "||"

CATALOG_STREAM = "catalog"
INVENTORY_STREAM = "inventory"
INVENTORY_MINUTES_DEFAULT = 15
CATALOG_MINUTES_DEFAULT = 60

OP_PUSH_CATALOG = "dsco.push_catalog"
OP_POLL_LOG = "dsco.poll_change_log"
OP_PUSH_INVENTORY = "dsco.push_inventory"

# ---------------------------------------------------------------- reconciliation
RECONCILE_STREAM = "reconcile"
RECONCILE_MINUTES = 60
#: Open DSCO orders (created / shipment_pending) created this many days back are re-read.
RECONCILE_DAYS = 14
#: getOrders: ``until`` must be at least 5 s in the past; 10..1000 orders a page.
RECONCILE_UNTIL_LAG_SECONDS = 10
ORDERS_PER_PAGE = 1000
OP_RECONCILE = "dsco.reconcile_orders"
