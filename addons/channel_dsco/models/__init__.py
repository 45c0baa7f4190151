from . import integration_credential
from . import dsco_order_import
from . import dsco_shipment_export
from . import sale_order_line
from . import stock_picking
