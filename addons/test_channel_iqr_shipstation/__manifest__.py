{
    "name": "Channel Connectors: IQ Reseller + ShipStation Flow Tests",
    "summary": "Tests only: IQ Reseller orders shipped through ShipStation with tracking "
    "written back to IQ Reseller, end to end; do not install in production",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_iqreseller", "channel_shipstation"],
    "data": [],
    "installable": True,
    "application": False,
    "auto_install": False,
}
