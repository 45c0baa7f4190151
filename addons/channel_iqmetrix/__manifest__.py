{
    "name": "Channel Connectors: iQmetrix Dropship",
    "summary": "iQmetrix dropship supplier: the Atom order feed into sale orders, order and "
    "item status updates (shipped, partial, back-ordered, cancelled, errors) back",
    "version": "18.0.2.0.0",
    "category": "Sales/Connectors",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base", "stock_delivery"],
    "external_dependencies": {"python": ["lxml", "python-dateutil", "requests"]},
    "data": [
        "views/integration_credential_views.xml",
        "views/sale_order_views.xml",
    ],
    "demo": ["demo/channel_iqmetrix_demo.xml"],
    "installable": True,
}
