"""IQ Reseller endpoints, operation names and defaults (see docs/platforms/iqreseller.md)."""

PLATFORM = "iqreseller"

DEFAULT_SIGNIN_URL = "https://signin.iqreseller.com"
DEFAULT_API_URL = "https://api.iqreseller.com"
SESSION_PATH = "/api/IntegrationAPI/Session"

# Order listing: the specification's endpoint (unconfirmed) or the one public code uses.
ORDER_ENDPOINTS = [
    ("get_orders", "POST Order/json/GetOrders (specification, unconfirmed)"),
    ("get_sos", "GET SO/JSON/GetSOs (used by public code)"),
]
GET_ORDERS_PATH = "/webapi.svc/Order/json/GetOrders"
GET_SOS_PATH = "/webapi.svc/SO/JSON/GetSOs"

# Tracking write-back: likewise.
TRACKING_ENDPOINTS = [
    ("update_order", "POST Order/json/UpdateOrder (specification, unconfirmed)"),
    ("so_udfs", "POST SO/UDFS/JSON (used by public code)"),
]
UPDATE_ORDER_PATH = "/webapi.svc/Order/json/UpdateOrder"
SO_UDFS_PATH = "/webapi.svc/SO/UDFS/JSON"

UDF_FIELDS = [(f"userdefined{number}", f"User-defined {number}") for number in range(1, 6)]
CHANNEL_FIELDS = [
    ("any_udf", "Any user-defined field (1-5)"),
    *UDF_FIELDS,
    ("rep", "Sales rep (rep)"),
    ("clientid", "Client ID (clientid)"),
    ("assignedby", "Assigned by (assignedby)"),
    ("shipfromclientid", "Ship-from client (shipfromclientid)"),
]

OPERATION_IMPORT_CHUNK = "iqreseller.import_orders"
OPERATION_TRACKING = "iqreseller.push_tracking"

# Orders per import job: created and confirmed together, which the ORM does much faster per
# order than one by one. Each job runs in its own transaction: a chunk should take a few
# seconds, a tenth of the runner's time budget (channel_base.job_time_budget) at
# IMPORT_SECONDS_PER_ORDER, at most IMPORT_CHUNK_MAX (50 with the default 50 s). A chunk
# never spans two listing pages, so a page of 25 orders is one import job.
IMPORT_CHUNK_MAX = 50
IMPORT_CHUNK_BUDGET_SHARE = 0.1
IMPORT_SECONDS_PER_ORDER = 0.1  # create + confirm in a batch: ~0.07 s on a 2-core host

# Large pages time out on IQR; halving stops here and the error surfaces.
MIN_PAGE_SIZE = 5
# A listing that never ends (an API ignoring Page) must not loop forever.
MAX_PAGES = 20000

# The cursor stream of the order listing.
ORDERS_STREAM = "orders"
TRACKING_PIECES = ("tracking", "carrier", "ship_date", "service")
