{
    "name": "CallGest VoIP - Messages",
    "summary": "The daily missed-calls reports reach the client's recipients "
    "through the delivery engine",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_voip", "callgest_message"],
}
