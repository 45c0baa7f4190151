from . import integration_credential
from . import stock_picking
