from . import integration_credential
from . import res_partner
from . import sale_order
from . import shipstation_service_map
from . import shipstation_shipment
from . import stock_move
from . import stock_picking
