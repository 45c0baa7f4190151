# token store and bounded answers
from . import test_token_store
from . import test_bounded_answers
from . import test_secrets_kit
