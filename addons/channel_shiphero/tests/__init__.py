from . import test_client
from . import test_kits
from . import test_late_clock
from . import test_orders
from . import test_portal
from . import test_reconcile
from . import test_schema
from . import test_webhooks
