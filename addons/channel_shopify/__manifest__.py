{
    "name": "Channel Connectors: Shopify",
    "summary": "Shopify orders in (GraphQL Admin API, bulk operations, webhooks); "
               "inventory out; fulfilments back",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base"],
    "external_dependencies": {"python": ["requests", "gql", "graphql-core"]},
    "data": [
        "security/ir.model.access.csv",
        "data/shopify_data.xml",
        "views/integration_credential_views.xml",
    ],
    "demo": ["demo/channel_shopify_demo.xml"],
    "installable": True,
}
