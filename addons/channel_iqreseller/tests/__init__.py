from . import test_import
from . import test_import_chunks
from . import test_mapping
from . import test_tracking
from . import test_order_lifecycle
from . import test_paging
from . import test_kits
from . import test_migration
