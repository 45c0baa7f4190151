from . import integration_credential
from . import integration_credential_verification
from . import channel_sync_cursor
from . import channel_rate_limit
from . import channel_access_token
from . import sync_job_policy
from . import sync_job
from . import channel_webhook_event
from . import channel_webhook_refusal
from . import channel_api_log
from . import channel_bound_mixin
from . import channel_product_binding
from . import sale_order
from . import stock_picking
from . import product
from . import channel_mapping
# inbox, batched lookups and carrier map (issue 15)
from . import channel_inbox_item
from . import channel_carrier_map
from . import integration_credential_inbox
from . import integration_credential_carrier_map
# token store (credential side)
from . import integration_credential_tokens
from . import integration_credential_shipment_events
from . import stock_picking_shipments
# streams and paged imports
from . import channel_stream
from . import integration_credential_paged
# screens: job attempts and display, dashboard, API performance (issue 12)
from . import sync_job_attempt
from . import sync_job_display
from . import integration_credential_dashboard
from . import channel_api_performance
# alerts, secrets from the server, connection test results (issue 12)
from . import integration_credential_env_secrets
from . import integration_credential_alerts
from . import channel_alert_hooks
from . import integration_credential_connection_test
# imported sale orders: default salesperson / team, chatter note (issue 12)
from . import integration_credential_sale_orders
