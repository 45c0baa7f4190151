from . import test_oauth
