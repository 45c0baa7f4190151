{
    "name": "Channel Connectors: DSCO (Poshmark)",
    "summary": "Poshmark orders from the DSCO order stream, acknowledged; shipments back",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "views/integration_credential_views.xml",
    ],
    "demo": ["demo/channel_dsco_demo.xml"],
    "installable": True,
}
