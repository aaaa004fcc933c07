{
    "name": "CallGest Agenda",
    "summary": "The clients' agendas on OCA resource_booking: free slots per "
    "professional, booked on the call or online, never double-booked",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "AGPL-3",
    "installable": True,
    "depends": ["callgest_message", "resource_booking"],
    "pre_init_hook": "pre_init_hook",
    "data": [
        "security/callgest_agenda_security.xml",
        "security/ir.model.access.csv",
        "security/callgest_agenda_rules.xml",
        "security/callgest_agenda_portal_rules.xml",
        "views/portal_templates.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/resource_booking_views.xml",
        "views/resource_booking_type_views.xml",
        "views/resource_resource_views.xml",
        "views/res_partner_views.xml",
        "views/callgest_agenda_menuitems.xml",
    ],
    "demo": [],
    "assets": {
        "web.assets_tests": [
            "callgest_agenda/static/tests/tours/**/*",
        ],
    },
}
