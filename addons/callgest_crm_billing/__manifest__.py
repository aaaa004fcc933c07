{
    "name": "CallGest CRM - Billing",
    "summary": "Onboarding a won opportunity records its setup fee and invoices "
    "its deposit",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_crm", "callgest_billing"],
    "data": [
        "wizards/callgest_onboarding_wizard_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "callgest_crm_billing/static/tests/tours/**/*",
        ],
    },
}
