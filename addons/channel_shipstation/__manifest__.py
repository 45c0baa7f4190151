{
    "name": "Channel Connectors: ShipStation",
    "summary": "Outgoing transfers become ShipStation orders; shipments come back as "
    "tracking numbers and done transfers",
    "version": "18.0.1.1.0",
    "category": "Inventory/Delivery",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base", "stock_delivery"],
    "external_dependencies": {"python": ["cryptography", "requests", "python-dateutil"]},
    "data": [
        "security/ir.model.access.csv",
        "views/integration_credential_views.xml",
        "views/shipstation_shipment_views.xml",
        "views/stock_picking_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/channel_shipstation_demo.xml"],
    "installable": True,
}
