{
    "name": "CallGest Billing",
    "summary": "Per-second rating and monthly invoicing of the answering service",
    "version": "18.0.0.2.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_voip", "account"],
    "data": [
        "security/ir.model.access.csv",
        "security/callgest_billing_rules.xml",
        "data/product_data.xml",
        "data/callgest_tariff_data.xml",
        "views/callgest_tariff_views.xml",
        "views/res_partner_views.xml",
    ],
}
