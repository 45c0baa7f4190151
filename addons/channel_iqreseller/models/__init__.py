from . import integration_credential
from . import iqr_order_import
from . import iqr_tracking_export
from . import sale_order
from . import stock_picking
