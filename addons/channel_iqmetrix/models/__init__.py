from . import iqmetrix_feed_import
from . import integration_credential
from . import iqmetrix_inbox
from . import iqmetrix_order_import
from . import iqmetrix_shipment_events
from . import iqmetrix_status_export
from . import sale_order
from . import stock_picking
