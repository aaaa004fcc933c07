{
    "name": "CallGest Console - Billing",
    "summary": "The caller's last calls in the secretary's call console, each "
    "with its cost and the one explanation of its price",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_console", "callgest_billing"],
    "assets": {
        "web.assets_backend": [
            "callgest_console_billing/static/src/call_history/**/*",
        ],
    },
}
