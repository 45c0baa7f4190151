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

OPERATION_POLL = "iqreseller.poll_orders"
OPERATION_IMPORT = "iqreseller.import_order"  # one order: a failed order, retried alone
OPERATION_IMPORT_CHUNK = "iqreseller.import_orders"
OPERATION_TRACKING = "iqreseller.push_tracking"

# Orders per import job: created and confirmed together, which the ORM does much faster per
# order than one by one. The queue runner claims a batch of jobs (channel_base.job_batch_size)
# and runs all of them before it commits, so a batch of full chunks has to fit in its time
# budget (channel_base.job_time_budget; a cron worker is killed past its time limits): the
# chunk is that budget over the batch size at IMPORT_SECONDS_PER_ORDER, at most
# IMPORT_CHUNK_MAX (10 with the default 50 jobs in 50 s).
IMPORT_CHUNK_MAX = 50
IMPORT_SECONDS_PER_ORDER = 0.1  # create + confirm in a batch: ~0.07 s on a 2-core host

# Large pages time out on IQR; halving stops here and the error surfaces.
MIN_PAGE_SIZE = 5
# A listing that never ends (an API ignoring Page) must not loop forever.
MAX_PAGES = 20000

# The cursor stream of the order listing.
ORDERS_STREAM = "orders"
TRACKING_PIECES = ("tracking", "carrier", "ship_date", "service")
