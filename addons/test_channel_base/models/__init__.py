from . import integration_credential
from . import integration_credential_inbox
from . import stock_picking
