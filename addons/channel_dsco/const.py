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
