from . import test_export
from . import test_mapping
from . import test_polling
from . import test_rate_limit
from . import test_webhook
from . import test_store_matching
from . import test_fulfilment
from . import test_migration
