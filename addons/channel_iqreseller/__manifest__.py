{
    "name": "Channel Connectors: IQ Reseller",
    "summary": "B2B sales orders from IQ Reseller into Odoo; tracking written back to "
    "IQ Reseller when the delivery is done",
    "version": "18.0.1.1.0",
    "category": "Sales/Connectors",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base", "stock_delivery"],
    "data": [
        "views/integration_credential_views.xml",
        "views/sale_order_views.xml",
    ],
    "demo": ["demo/channel_iqreseller_demo.xml"],
    "installable": True,
}
