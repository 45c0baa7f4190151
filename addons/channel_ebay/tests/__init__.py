from . import test_oauth
from . import test_orders
from . import test_listings
from . import test_account_deletion
from . import test_messages
from . import test_kits
from . import test_openapi
from . import test_variations
