{
    "name": "Channel Connectors: DSCO + ShipStation Flow Tests",
    "summary": "Tests only: Poshmark orders from DSCO fulfilled by this business through "
    "ShipStation, shipments back to DSCO; do not install in production",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_dsco", "channel_shipstation"],
    "data": [],
    "installable": True,
    "application": False,
    "auto_install": False,
}
