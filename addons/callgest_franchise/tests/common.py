from odoo.tests import new_test_user

from odoo.addons.base.tests.common import TransactionCaseWithUserDemo


def open_always(env, name="Always open"):
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Madrid",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                    },
                )
                for day in range(7)
            ],
        }
    )


def office(env, name="Office 9-14"):
    """Monday to Friday, 9:00 to 14:00 in Madrid."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Madrid",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 14,
                    },
                )
                for day in range(5)
            ],
        }
    )


class FranchiseCommon(TransactionCaseWithUserDemo):
    """A repair chain: one number, four franchisees (Barcelona, Madrid,
    València, Sevilla); Sevilla opens Monday to Friday mornings only."""

    # Wednesday 2 December 2026 in Madrid: 10:00 everyone is open, 17:00
    # Sevilla is closed
    MORNING = "2026-12-02T10:00:00"
    AFTERNOON = "2026-12-02T17:00:00"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.spain = cls.env.ref("base.es")
        cls.company = cls.env.company
        cls.Routing = cls.env["callgest.franchise.routing"]
        cls.secretary = new_test_user(
            cls.env,
            login="franchise_secretary",
            groups="callgest_base.group_callgest_secretary",
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="franchise_supervisor",
            groups="callgest_base.group_callgest_supervisor",
        )
        cls.pbx = new_test_user(
            cls.env, login="franchise_pbx", groups="callgest_base.group_callgest_pbx"
        )
        always = open_always(cls.env)
        cls.network = cls.env["res.partner"].create(
            {
                "name": "Test Repairs Network",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_type": "collective",
                "callgest_is_franchise_network": True,
                "callgest_client_code": "9140",
                "callgest_service_state": "active",
                "country_id": cls.spain.id,
                "tz": "Europe/Madrid",
                "callgest_calendar_id": always.id,
            }
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": "93 390 67 90",
                "country_id": cls.spain.id,
                "partner_id": cls.network.id,
            }
        )
        cls.ddi.action_activate()
        cities = {
            "barcelona": ("08014", "Barcelona", 41.39, 2.17, ("08", "17")),
            "madrid": ("28020", "Madrid", 40.42, -3.70, ("28",)),
            "valencia": ("46023", "València", 39.47, -0.38, ("46",)),
            "sevilla": ("41018", "Sevilla", 37.39, -5.98, ("41", "11")),
        }
        cls.franchisees = {}
        mornings = office(cls.env)
        for key, (zip_code, city, latitude, longitude, areas) in cities.items():
            franchisee = cls.env["res.partner"].create(
                {
                    "name": f"Repairs {city}",
                    "parent_id": cls.network.id,
                    "callgest_is_professional": True,
                    "type": "other",
                    "zip": zip_code,
                    "city": city,
                    "country_id": cls.spain.id,
                    "tz": "Europe/Madrid",
                    "partner_latitude": latitude,
                    "partner_longitude": longitude,
                    "callgest_calendar_id": (
                        mornings if key == "sevilla" else always
                    ).id,
                    "callgest_franchise_area_ids": [
                        (0, 0, {"name": area}) for area in areas
                    ],
                    "callgest_franchise_transfer_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Shop",
                                "number": f"91 000 00 0{len(cls.franchisees)}",
                            },
                        ),
                    ],
                }
            )
            cls.franchisees[key] = franchisee

    def route(self, query, when=None, user=None, number="+34933906790", caller=None):
        return self.Routing.with_user(user or self.secretary).route(
            number, query, caller or "+34600111222", when or self.MORNING
        )
