from . import test_feed_security
from . import test_import
from . import test_kits
from . import test_mapping
from . import test_oauth
from . import test_status
from . import test_status_changes
from . import test_rate_limit
