"""A franchise network of its own for the tests: two franchisees open at
every hour (so that the routing does not depend on the clock), each with its
areas, coordinates, transfer numbers and recipient, and the network's own
recipient; no demo data is needed."""

from odoo import Command

from odoo.addons.callgest_protocols.tests.common import create_calendar, create_protocol


def create_network(env, name, ddi_number, madrid_numbers=(), barcelona_numbers=()):
    """``(network, ddi, madrid, barcelona)``: Madrid covers 28 and 45,
    Barcelona 08; each franchisee has a recipient of its own, the network a
    general one. ``*_numbers`` are ``(who, number, ring_seconds)``."""
    spain = env.ref("base.es")
    always = create_calendar(env, f"{name}: open 0-24", 0, 24, days=range(7))
    network = env["res.partner"].create(
        {
            "name": name,
            "is_company": True,
            "is_callgest_client": True,
            "callgest_client_type": "collective",
            "callgest_is_franchise_network": True,
            "callgest_franchise_fallback": "next_open",
            "country_id": spain.id,
            "tz": "Europe/Madrid",
            "lang": "en_US",
        }
    )
    ddi = env["callgest.ddi"].create(
        {"number_entered": ddi_number, "country_id": spain.id, "partner_id": network.id}
    )
    ddi.action_activate()
    create_protocol(env, network, greeting=f"{name}, good morning")

    def franchisee(city, areas, latitude, longitude, phone, numbers):
        return env["res.partner"].create(
            {
                "name": f"{name} {city}",
                "parent_id": network.id,
                "callgest_is_professional": True,
                "type": "other",
                "city": city,
                "country_id": spain.id,
                "phone": phone,
                "partner_latitude": latitude,
                "partner_longitude": longitude,
                "callgest_calendar_id": always.id,
                "tz": "Europe/Madrid",
                "callgest_franchise_area_ids": [
                    Command.create({"name": area}) for area in areas
                ],
                "callgest_franchise_transfer_ids": [
                    Command.create(
                        {
                            "sequence": sequence,
                            "name": who,
                            "number": number,
                            "ring_seconds": ring,
                        }
                    )
                    for sequence, (who, number, ring) in enumerate(numbers, 1)
                ],
            }
        )

    madrid = franchisee(
        "Madrid", ("28", "45"), 40.45, -3.7, "+34 915 330 402", madrid_numbers
    )
    barcelona = franchisee(
        "Barcelona", ("08",), 41.38, 2.14, "+34 932 110 401", barcelona_numbers
    )
    slug = name.lower().replace(" ", "-")
    env["callgest.recipient"].create(
        [
            {
                "partner_id": network.id,
                "franchisee_id": owner.id or False,
                "channel": "email",
                "address": f"{city}@{slug}.example.com",
                "lang": "en_US",
                "mode": "immediate",
            }
            for owner, city in (
                (env["res.partner"], "central"),
                (madrid, "madrid"),
                (barcelona, "barcelona"),
            )
        ]
    )
    return network, ddi, madrid, barcelona
