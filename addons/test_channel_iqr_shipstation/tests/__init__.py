from . import test_iqr_shipstation_flow
