from . import test_paged_import_kit
