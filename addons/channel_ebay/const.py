"""eBay API facts (docs/platforms/ebay.md, the Sell Inventory v1 and Sell Fulfillment v1
OpenAPI files in shared/reference/openapi/)."""

PLATFORM = "ebay"

# Hosts: developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html and KB 5075.
PRODUCTION_API = "https://api.ebay.com"
SANDBOX_API = "https://api.sandbox.ebay.com"
PRODUCTION_AUTH = "https://auth.ebay.com"
SANDBOX_AUTH = "https://auth.sandbox.ebay.com"
AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/identity/v1/oauth2/token"  # noqa: S105 - a path
TRADING_PATH = "/ws/api.dll"  # Trading API XML gateway (using-xml.html)

INVENTORY = "/sell/inventory/v1"
FULFILLMENT = "/sell/fulfillment/v1"
ANALYTICS_RATE_LIMITS = "/developer/analytics/v1_beta/user_rate_limit/"
ACCOUNT_DELETION_KEY_PATH = "/commerce/notification/v1/public_key/{kid}"

SCOPES = (
    "https://api.ebay.com/oauth/api_scope",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/sell.account",
    "https://api.ebay.com/oauth/api_scope/analytics.readonly",
)

#: Access token 2 h, refresh token 18 months (47,304,000 s); warn a month ahead.
REFRESH_TOKEN_LIFETIME = 47_304_000
REFRESH_WARN_DAYS = 30

#: Bulk calls take at most 25 entries; ReviseInventoryStatus at most 4.
BULK_MAX = 25
REVISE_STATUS_MAX = 4
#: getOrders: page at 200 (the spec says 1000; newer pages say less), overlap 10 minutes.
ORDERS_PAGE_SIZE = 200
ORDERS_OVERLAP_MINUTES = 10
ORDERS_FIRST_RUN_DAYS = 30
ORDER_IDS_PER_CALL = 50

#: Trading API: a default daily call limit of 5,000 (api_call_limits).
TRADING_COMPATIBILITY_LEVEL = "1451"
TRADING_SITE_ID = "0"
TRADING_NS = "urn:ebay:apis:eBLBaseComponents"
DAILY_CALL_BUDGET = 5000

MARKETPLACES = [("EBAY_US", "eBay US"), ("EBAY_GB", "eBay UK"), ("EBAY_DE", "eBay Germany"),
                ("EBAY_AU", "eBay Australia"), ("EBAY_CA", "eBay Canada")]
MARKETPLACE_CURRENCY = {"EBAY_US": "USD", "EBAY_GB": "GBP", "EBAY_DE": "EUR",
                        "EBAY_AU": "AUD", "EBAY_CA": "CAD"}
MARKETPLACE_LOCALE = {"EBAY_US": "en-US", "EBAY_GB": "en-GB", "EBAY_DE": "de-DE",
                      "EBAY_AU": "en-AU", "EBAY_CA": "en-CA"}

#: ConditionEnum (developer.ebay.com/api-docs/sell/inventory/types/slr:ConditionEnum).
CONDITIONS = [
    ("NEW", "New"), ("LIKE_NEW", "Like new"), ("NEW_OTHER", "New (other)"),
    ("NEW_WITH_DEFECTS", "New with defects"),
    ("CERTIFIED_REFURBISHED", "Certified refurbished"),
    ("EXCELLENT_REFURBISHED", "Excellent refurbished"),
    ("VERY_GOOD_REFURBISHED", "Very good refurbished"),
    ("GOOD_REFURBISHED", "Good refurbished"), ("SELLER_REFURBISHED", "Seller refurbished"),
    ("USED_EXCELLENT", "Used (excellent)"), ("USED_VERY_GOOD", "Used (very good)"),
    ("USED_GOOD", "Used (good)"), ("USED_ACCEPTABLE", "Used (acceptable)"),
    ("FOR_PARTS_OR_NOT_WORKING", "For parts or not working"),
]
#: ListingDurationEnum: fixed-price listings are GTC; auctions DAYS_n.
LISTING_DURATIONS = [("GTC", "Good 'Til Cancelled"), ("DAYS_1", "1 day"), ("DAYS_3", "3 days"),
                     ("DAYS_5", "5 days"), ("DAYS_7", "7 days"), ("DAYS_10", "10 days"),
                     ("DAYS_30", "30 days")]
LISTING_APIS = [("inventory", "Inventory API"), ("trading", "Trading API")]

ORDERS_STREAM = "orders"
OPEN_ORDERS_STREAM = "open_orders"
MESSAGES_STREAM = "messages"

OP_PUSH_LISTINGS = "ebay.push_listings"
OP_PUSH_QUANTITIES = "ebay.push_quantities"
OP_PUSH_SHIPMENT = "ebay.push_shipment"
OP_READ_RATE_LIMITS = "ebay.read_rate_limits"
OP_SEND_MESSAGE = "ebay.send_message"
OP_READ_MESSAGES = "ebay.read_messages"
OP_WITHDRAW_GROUP = "ebay.withdraw_group"
OP_PUSH_OFFERS = "ebay.push_offers"

#: publishOfferByInventoryItemGroup: the spec's path ends with a slash.
PUBLISH_BY_GROUP = "/offer/publish_by_inventory_item_group/"
#: updateOffer jobs: at most this many dirty offers a job (one call each).
OFFER_UPDATES_PER_JOB = 200
