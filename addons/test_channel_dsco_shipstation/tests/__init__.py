from . import test_dsco_shipstation_flow
