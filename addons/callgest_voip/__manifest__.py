{
    "name": "CallGest VoIP",
    "summary": "Call records from the PBX: import, consolidation, quality",
    "version": "18.0.1.0.0",
    "category": "Services/CallGest",
    "website": "https://github.com/callgest/callgest",
    "author": "CallGest",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["callgest_base"],
    "external_dependencies": {"python": ["pytz"]},
    "data": [],
}
