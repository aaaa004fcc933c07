{
    "name": "CallGest CRM - Billing",
    "summary": "Quotes from a prospect's own calls or profile, on the billing's "
    "rating core; onboarding records the setup fee and invoices the deposit",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_crm", "callgest_billing"],
    "data": [
        "security/ir.model.access.csv",
        "security/callgest_quote_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_config_parameter_data.xml",
        "report/callgest_quote_report.xml",
        "data/mail_template_data.xml",
        "views/callgest_quote_views.xml",
        "views/crm_lead_views.xml",
        "views/callgest_quote_public_templates.xml",
        "wizards/callgest_onboarding_wizard_views.xml",
        "wizards/callgest_quote_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "callgest_crm_billing/static/tests/tours/**/*",
        ],
    },
}
