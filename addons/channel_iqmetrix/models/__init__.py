from . import iqmetrix_carrier_map
from . import iqmetrix_feed_entry
from . import iqmetrix_oauth_token
from . import integration_credential
from . import iqmetrix_order_import
from . import iqmetrix_status_export
from . import sale_order
from . import stock_picking
