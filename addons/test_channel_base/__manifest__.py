{
    "name": "Channel Connectors: Base Tests",
    "summary": "Tests only: an 'example' platform that exercises channel_base end to end "
    "against the example simulator; do not install in production",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Channel Connectors",
    "website": "https://github.com/channel-connectors/channel-connectors",
    "depends": ["channel_base"],
    "data": [],
    "assets": {
        "web.assets_tests": ["test_channel_base/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
    "auto_install": False,
}
