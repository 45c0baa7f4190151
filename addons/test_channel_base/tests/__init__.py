# token store and bounded answers
from . import test_token_store
from . import test_bounded_answers
from . import test_secrets_kit
from . import test_paged_import_kit
from . import test_streams
