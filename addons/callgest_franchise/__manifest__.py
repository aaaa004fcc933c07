{
    "name": "CallGest Franchise Networks",
    "summary": "A franchise chain's central number: each caller routed to the "
    "franchisee that covers its postal code, or the nearest open one",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_protocols", "callgest_message", "base_geolocalize"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "security/callgest_franchise_security.xml",
        "views/callgest_franchise_routing_views.xml",
        "views/res_partner_views.xml",
        "views/callgest_recipient_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/callgest_franchise_demo.xml"],
}
