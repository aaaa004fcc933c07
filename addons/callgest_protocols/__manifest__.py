{
    "name": "CallGest Protocols",
    "summary": "Attendance protocols per client and DDI, routing and screen pop",
    "version": "18.0.1.3.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_base", "mail", "bus"],
    "external_dependencies": {"python": ["phonenumbers", "pytz"]},
    "data": [
        "security/ir.model.access.csv",
        "security/callgest_protocols_rules.xml",
        "security/callgest_protocols_portal_rules.xml",
        "views/callgest_protocol_views.xml",
        "security/callgest_protocol_change_request_security.xml",
        "data/mail_template_data.xml",
        "data/mail_alias_data.xml",
        "views/callgest_protocol_change_request_views.xml",
        "views/callgest_protocol_change_request_templates.xml",
        "views/callgest_protocol_portal_templates.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "callgest_protocols/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/callgest_protocol_demo.xml",
    ],
}
