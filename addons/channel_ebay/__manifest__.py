{
    "name": "Channel Connectors: eBay",
    "summary": "eBay listings (Inventory API, Trading revisions), orders (Fulfillment API), "
               "account deletion notifications, buyer messages",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base"],
    "external_dependencies": {"python": ["requests", "lxml", "cryptography"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ebay_data.xml",
        "views/integration_credential_views.xml",
        "views/product_views.xml",
    ],
    "demo": ["demo/channel_ebay_demo.xml"],
    "installable": True,
}
