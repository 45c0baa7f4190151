{
    "name": "Channel Connectors: IQ Reseller + ShipStation Flow Tests",
    "summary": "End-to-end test of IQ Reseller orders shipped through ShipStation with "
    "tracking written back to IQ Reseller (tests only; do not install in production)",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_iqreseller", "channel_shipstation"],
    "data": [],
    "installable": True,
}
