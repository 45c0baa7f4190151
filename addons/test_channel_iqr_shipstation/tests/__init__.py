from . import test_iqr_shipstation_flow
from . import test_iqr_shipstation_withdrawals
