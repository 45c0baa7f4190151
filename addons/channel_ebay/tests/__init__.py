from . import test_oauth
from . import test_orders
from . import test_listings
