{
    "name": "CallGest Messages",
    "summary": "Recados and incidencias taken on calls, delivered by email, SMS "
    "or Telegram, at once or in digests, and never lost",
    "version": "18.0.1.1.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_base", "mail", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/callgest_message_rules.xml",
        "data/callgest_message_category_data.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/queue_job_data.xml",
        "data/mail_template_data.xml",
        "views/callgest_message_views.xml",
        "views/callgest_incident_views.xml",
        "views/callgest_recipient_views.xml",
        "views/callgest_delivery_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/callgest_message_menuitems.xml",
    ],
    "demo": [
        "demo/callgest_recipient_demo.xml",
        "demo/callgest_incident_type_demo.xml",
        "demo/callgest_message_demo.xml",
        "demo/res_users_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "callgest_message/static/tests/tours/**/*",
        ],
    },
}
