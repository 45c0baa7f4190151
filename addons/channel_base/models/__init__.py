from . import integration_credential
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
# token store (credential side)
from . import integration_credential_tokens
