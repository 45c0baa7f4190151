from . import controllers
from . import models
from .access_log import install_access_log_filter

install_access_log_filter()
