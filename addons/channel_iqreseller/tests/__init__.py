from . import test_import
from . import test_import_chunks
from . import test_mapping
from . import test_tracking
