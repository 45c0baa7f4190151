from . import integration_credential
from . import dsco_order_import
from . import dsco_shipment_export
from . import sale_order_line
from . import stock_picking
from . import dsco_settings
from . import dsco_catalog_export
from . import dsco_inventory_export
