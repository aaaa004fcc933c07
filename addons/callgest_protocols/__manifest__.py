{
    "name": "CallGest Protocols",
    "summary": "Attendance protocols per client and DDI, routing and screen pop",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_base"],
    "external_dependencies": {"python": ["phonenumbers", "pytz"]},
    "data": [],
}
