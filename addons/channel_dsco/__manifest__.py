{
    "name": "Channel Connectors: DSCO (Poshmark)",
    "summary": "Poshmark through DSCO: catalog, inventory, order stream, shipments",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base", "sale_stock"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "wizard/dsco_replay_wizard_views.xml",
        "wizard/dsco_cancel_wizard_views.xml",
        "views/integration_credential_views.xml",
    ],
    "demo": ["demo/channel_dsco_demo.xml"],
    "installable": True,
}
