from . import integration_credential
from . import sale_order
from . import stock_picking
