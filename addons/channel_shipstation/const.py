"""ShipStation constants: URLs, limits, statuses and event names (see the platform notes)."""

PLATFORM = "shipstation"

V1_BASE_URL = "https://ssapi.shipstation.com"
V2_BASE_URL = "https://api.shipstation.com"
JWKS_URL = "https://api.shipengine.com/jwks"
# V1 production hosts; resource_url of a webhook may name any of them.
V1_HOST_PATTERN = r"^ssapi\d*\.shipstation\.com$"

# V1 answers and filters are Pacific wall-clock time without an offset.
SHIPSTATION_TZ = "America/Los_Angeles"

RATE_LIMIT_REQUESTS = 40
RATE_LIMIT_PERIOD = 60
MAX_ORDERS_PER_REQUEST = 100
SHIPMENTS_PAGE_SIZE = 500
MAX_ORDER_NUMBER_LENGTH = 50

OPEN_ORDER_STATUSES = ("awaiting_payment", "awaiting_shipment", "pending_fulfillment", "on_hold")
CLOSED_ORDER_STATUSES = ("shipped", "cancelled")
ORDER_STATUSES = [
    ("awaiting_payment", "Awaiting Payment"),
    ("awaiting_shipment", "Awaiting Shipment"),
    ("pending_fulfillment", "Pending Fulfillment"),
    ("on_hold", "On Hold"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
    ("rejected_fulfillment", "Rejected Fulfillment"),
]

V1_SHIP_NOTIFY = "SHIP_NOTIFY"
V2_FULFILLMENT_SHIPPED = "fulfillment_shipped_v2"
V2_FULFILLMENT_SHIPPED_TYPE = "FULFILLMENT_SHIPPED_V2"
# Tracking updates: the ShipEngine-era `track` event posts resource_type API_TRACK
# (https://www.shipengine.com/docs/reference/webhooks-schemas/), the V2 `track_event_v2`
# posts TRACK_EVENT_V2 (https://docs.shipstation.com/apis/docs/guides/webhooks-schemas);
# both carry data{tracking_number, status_code, status_description, events[...]}.
V2_TRACK = "track"
V2_TRACK_EVENT = "track_event_v2"
TRACK_RESOURCE_TYPES = ("API_TRACK", "TRACK_EVENT_V2")
TRACK_EVENTS = [
    (V2_TRACK, "track (API_TRACK)"),
    (V2_TRACK_EVENT, "track_event_v2 (TRACK_EVENT_V2)"),
    ("none", "Do not register"),
]
# A batch of labels finished (BATCH_PROCESSED_V2, resource_url .../v2/batches/se-...).
V2_BATCH_PROCESSED = "batch_processed_v2"
V2_BATCH_PROCESSED_TYPE = "BATCH_PROCESSED_V2"
# Tracking status codes of the schemas above -> our delivery status.
DELIVERY_STATUSES = [
    ("not_yet", "Not Yet in System"),
    ("accepted", "Accepted"),
    ("in_transit", "In Transit"),
    ("attempted", "Delivery Attempt"),
    ("delivered", "Delivered"),
    ("exception", "Exception"),
    ("unknown", "Unknown"),
]
TRACKING_STATUS_CODES = {
    "NY": "not_yet", "AC": "accepted", "IT": "in_transit", "AT": "attempted",
    "DE": "delivered", "EX": "exception", "UN": "unknown",
}

V2_KEY_ID_HEADER = "x-shipengine-rsa-sha256-key-id"
V2_SIGNATURE_HEADER = "x-shipengine-rsa-sha256-signature"
V2_TIMESTAMP_HEADER = "x-shipengine-timestamp"
V2_SIGNATURE_MAX_AGE = 300  # seconds, either way (clock skew)

# Channels whose orders a new ShipStation account fulfils by default (IQ Reseller's B2B orders
# go through Odoo to ShipStation; Shopify and eBay orders reach ShipStation directly).
DEFAULT_SOURCE_PLATFORMS = ("iqreseller",)

OP_EXPORT = "shipstation.export_pickings"
# The sweep of ready transfers no trigger sent (the job of the stream EXPORT_STREAM).
OP_EXPORT_SWEEP = "shipstation.sweep_exports"
EXPORT_STREAM = "export_sweep"
# Stream of the shipments import and of its inbox items (unmatched shipments).
SHIPMENTS_STREAM = "shipments"
SHIPMENT_VOIDS_STREAM = "shipment_voids"
VOIDS_CURSOR = "shipment_voids"

WEIGHT_UNITS = [("pounds", "Pounds"), ("ounces", "Ounces"), ("grams", "Grams")]
WEIGHT_UOM_XMLIDS = {
    "pounds": "uom.product_uom_lb",
    "ounces": "uom.product_uom_oz",
    "grams": "uom.product_uom_gram",
}
SEND_ON = [
    ("picking_ready", "When the transfer is ready"),
    ("order_confirm", "When the sale order is confirmed"),
    ("manual", "Manually only"),
]
