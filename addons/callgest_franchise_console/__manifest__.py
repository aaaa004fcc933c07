{
    "name": "CallGest Franchise Networks - Call Console",
    "summary": "A franchise network's call in the secretary's call console: the "
    "caller's postal code or town finds the franchisee, its transfer numbers, "
    "and the recado goes to it",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_franchise", "callgest_console"],
    "assets": {
        "web.assets_backend": [
            "callgest_franchise_console/static/src/franchise_panel/**/*",
        ],
        "web.assets_tests": [
            "callgest_franchise_console/static/tests/tours/**/*",
        ],
    },
}
