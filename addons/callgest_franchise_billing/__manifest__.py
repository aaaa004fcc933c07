{
    "name": "CallGest Franchise Networks - Billing",
    "summary": "A franchise network's calls and recados charged to the franchisee "
    "they were routed to, and the breakdown for the network's manager",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["callgest_franchise", "callgest_billing"],
    "data": [
        "views/callgest_franchise_routing_views.xml",
        "views/res_partner_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/callgest_franchise_billing_demo.xml"],
}
