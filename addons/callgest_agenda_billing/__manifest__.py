{
    "name": "CallGest Agenda - Billing",
    "summary": "The agenda modules invoiced from the professionals' working hours",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "AGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_agenda", "callgest_billing"],
    "post_init_hook": "post_init_hook",
    "data": ["views/res_partner_views.xml"],
}
