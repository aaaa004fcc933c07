{
    "name": "CallGest CRM",
    "summary": "Information requests become leads, won leads become clients",
    "version": "18.0.1.1.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_base", "callgest_message", "crm"],
    "data": [
        "security/ir.model.access.csv",
        "wizards/callgest_onboarding_wizard_views.xml",
        "views/crm_lead_views.xml",
        "views/callgest_message_views.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/callgest_ddi_demo.xml",
        "demo/crm_lead_demo.xml",
        "demo/callgest_message_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "callgest_crm/static/tests/tours/**/*",
        ],
    },
}
