from . import test_token
from . import test_orders
from . import test_paged_kit
from . import test_shipments
from . import test_secrets
from . import test_openapi
from . import test_catalog
from . import test_inventory
