{
    "name": "CallGest Billing",
    "summary": "Per-second rating and monthly invoicing of the answering service",
    "version": "18.0.0.1.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_voip", "account"],
    "data": [],
}
