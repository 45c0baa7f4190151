{
    "name": "Channel Connectors: Base",
    "summary": "Credentials, durable sync queue, webhook intake and API log shared by all "
    "channel connectors",
    "version": "18.0.1.0.0",
    "category": "Sales/Connectors",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["sale_stock", "mail", "stock_delivery"],
    "external_dependencies": {"python": ["lxml", "phonenumbers", "python-dateutil", "requests"]},
    "data": [
        "security/channel_security.xml",
        "security/ir.model.access.csv",
        "security/channel_inbox_security.xml",
        "data/ir_config_parameter.xml",
        "data/ir_cron.xml",
        "views/integration_credential_views.xml",
        "views/sync_job_views.xml",
        "views/channel_webhook_event_views.xml",
        "views/channel_webhook_refusal_views.xml",
        "views/channel_api_log_views.xml",
        "views/channel_binding_views.xml",
        "views/record_views.xml",
        "views/channel_inbox_item_views.xml",
        "views/channel_carrier_map_views.xml",
        "views/channel_menus.xml",
        # streams and paged imports
        "data/channel_stream_cron.xml",
        "views/channel_stream_views.xml",
        # alerts, secrets from the server, connection test results (issue 12)
        "data/channel_alert_data.xml",
        "data/channel_alert_cron.xml",
        "views/integration_credential_alert_views.xml",
        "views/integration_credential_to_fix_stub.xml",  # STUB until p2/screens lands
    ],
    "application": True,
    "installable": True,
}
