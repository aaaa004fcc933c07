{
    "name": "CallGest Demo: a Spanish answering service",
    "summary": "Demo data: the demo company as a Spanish answering-service company "
    "on the Spanish chart of accounts (l10n_es), EUR, IVA 21 % on the services",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    # l10n_es only here: callgest_billing itself works on any chart
    "depends": ["callgest_billing", "l10n_es"],
    "demo": ["demo/callgest_demo.xml"],
}
