{
    "name": "CallGest Agenda - Call Console",
    "summary": "The client's agenda in the secretary's call console: free slots, "
    "booking in one click, the caller's appointments to move or cancel",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_agenda", "callgest_console"],
    "assets": {
        "web.assets_backend": [
            "callgest_agenda_console/static/src/agenda_panel/**/*",
        ],
        "web.assets_tests": [
            "callgest_agenda_console/static/tests/tours/**/*",
        ],
    },
}
