{
    "name": "Channel Connectors: ShipHero (3PL brands)",
    "summary": "A 3PL's brands on ShipHero: backfill, incremental sync, webhooks, purchase "
               "orders, reconciliation, late-shipment clock and a brand portal",
    "version": "18.0.1.0.0",
    "category": "Inventory/Inventory",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base", "sale_stock", "portal", "resource"],
    "external_dependencies": {"python": ["requests", "gql"]},
    "data": [
        "security/ir.model.access.csv",
        "security/shiphero_security.xml",
        "data/shiphero_cron.xml",
        "views/integration_credential_views.xml",
        "views/sale_order_views.xml",
        "views/shiphero_purchase_order_views.xml",
        "views/res_partner_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/channel_shiphero_demo.xml"],
    "installable": True,
}
