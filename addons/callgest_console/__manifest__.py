{
    "name": "CallGest Call Console",
    "summary": "The secretary's call console: screen pop, caller history, recados",
    "version": "18.0.1.1.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_protocols", "callgest_message", "bus"],
    "demo": ["demo/res_users_demo.xml"],
    "data": [
        "views/callgest_console_menus.xml",
        "views/callgest_message_views.xml",
        "views/callgest_incident_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "callgest_console/static/src/call_console/**/*",
        ],
        "web.assets_tests": [
            "callgest_console/static/tests/tours/**/*",
        ],
    },
}
