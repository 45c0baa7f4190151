from . import test_client
from . import test_orders
from . import test_paged_kit
from . import test_webhooks
from . import test_secrets
