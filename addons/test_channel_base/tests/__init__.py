from . import test_paged_import_kit
from . import test_streams
