from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import FranchiseCommon


@tagged("post_install", "-at_install")
class TestFranchiseRouting(FranchiseCommon):
    def test_postal_codes_checked_by_hand(self):
        """Covered areas, then the nearest (distances by hand in
        test_franchise_routing.py), then the hours."""
        for query, expected, reason, km in (
            ("08201", "barcelona", "covers", 18.5),  # Sabadell, 08
            ("17001", "barcelona", "covers", 85.0),  # Girona, 17
            ("28931", "madrid", "covers", 17.5),  # Móstoles
            ("45001", "madrid", "nearest", 68.3),  # Toledo
            ("03001", "valencia", "nearest", 124.8),  # Alicante
            ("50001", "valencia", "nearest", 246.1),  # Zaragoza
            ("11001", "sevilla", "covers", 99.5),  # Cádiz, 11
            ("Terrassa", "barcelona", "covers", 23.1),
        ):
            with self.subTest(query=query):
                result = self.route(query)
                self.assertEqual(result["franchisee_id"], self.franchisees[expected].id)
                self.assertEqual(
                    (result["reason"], result["distance_km"]), (reason, km)
                )
                self.assertTrue(result["open"])
                self.assertTrue(result["transfers"])

    def test_closed_franchisee_next_open(self):
        """17:00: Sevilla is closed, Cádiz goes to the next nearest open,
        Madrid (487.7 km from Cádiz) before València."""
        result = self.route("11001", self.AFTERNOON)
        self.assertEqual(result["franchisee_id"], self.franchisees["madrid"].id)
        self.assertEqual(result["reason"], "next_open")
        self.assertIn("Repairs Sevilla is closed now", result["message"])
        routing = self.Routing.browse(result["routing_id"])
        self.assertEqual(routing.chosen_id, self.franchisees["sevilla"])
        self.assertEqual(routing.franchisee_id, self.franchisees["madrid"])

    def test_closed_franchisee_to_the_network(self):
        self.network.callgest_franchise_fallback = "network"
        result = self.route("11001", self.AFTERNOON)
        self.assertFalse(result["franchisee_id"])
        self.assertEqual(result["reason"], "closed")
        self.assertIn("take a recado for the network", result["message"])
        # the closed franchisee's hours: when it opens again
        self.assertFalse(result["open"])
        self.assertTrue(result["next_change"].startswith("2026-12-03T09:00"))

    def test_unknown_place_is_never_lost(self):
        for query in ("99001", "Atlantis", "12"):
            with self.subTest(query=query):
                result = self.route(query)
                self.assertFalse(result["franchisee_id"])
                self.assertEqual(result["reason"], "unknown_place")
                self.assertIn(query, result["message"])
                routing = self.Routing.browse(result["routing_id"])
                self.assertEqual(routing.network_id, self.network)

    def test_routing_recorded(self):
        result = self.route("08201", caller="600 111 222")
        routing = self.Routing.browse(result["routing_id"])
        self.assertEqual(routing.franchisee_id, self.franchisees["barcelona"])
        self.assertEqual(routing.ddi_id, self.ddi)
        self.assertEqual((routing.postal_code, routing.place), ("08201", "Sabadell"))
        self.assertEqual(routing.user_id, self.secretary)
        self.assertEqual(str(routing.routed_at), "2026-12-02 09:00:00")

    def test_the_screen_pop_returns_it_too(self):
        Protocol = self.env["callgest.protocol"].with_user(self.pbx)
        result = Protocol.lookup(
            "+34933906790", "+34600111222", self.MORNING, None, "45001"
        )
        self.assertTrue(result["franchise_network"])
        self.assertEqual(
            result["franchise"]["franchisee_id"], self.franchisees["madrid"].id
        )
        plain = Protocol.lookup("+34933906790", "+34600111222", self.MORNING)
        self.assertTrue(plain["franchise_network"])
        self.assertNotIn("franchise", plain)

    def test_the_pbx_routes_but_reads_nothing(self):
        result = self.route("08201", user=self.pbx)
        self.assertEqual(result["franchisee_id"], self.franchisees["barcelona"].id)
        with self.assertRaises(AccessError):
            self.Routing.with_user(self.pbx).search([])
        with self.assertRaises(AccessError):
            self.env["callgest.franchise.area"].with_user(self.pbx).search([])

    def test_only_secretaries_and_the_pbx_route(self):
        with self.assertRaises(AccessError):
            self.route("08201", user=self.user_demo)

    def test_not_a_network(self):
        other = self.env["res.partner"].create(
            {
                "name": "Plain Clinic",
                "is_callgest_client": True,
                "country_id": self.spain.id,
            }
        )
        ddi = self.env["callgest.ddi"].create(
            {
                "number_entered": "93 390 67 91",
                "country_id": self.spain.id,
                "partner_id": other.id,
            }
        )
        ddi.action_activate()
        with self.assertRaisesRegex(UserError, "not the number of a franchise network"):
            self.route("08201", number="+34933906791")
        with self.assertRaisesRegex(UserError, "not the number of a franchise network"):
            self.route("08201", number="+34999999999")

    def test_other_company_number_is_unknown(self):
        other_company = self.env["res.company"].create({"name": "Other answering Co"})
        self.ddi.company_id = other_company
        self.network.company_id = other_company
        with self.assertRaisesRegex(UserError, "not the number of a franchise network"):
            self.route("08201")

    def test_rpc_bad_arguments(self):
        with self.assertRaises(UserError):
            self.Routing.with_user(self.secretary).route(None, "08201")
        with self.assertRaises(UserError):
            self.Routing.with_user(self.secretary).route("+34933906790", ["08201"])
        with self.assertRaises(UserError):
            self.route("08201", when="yesterday at noon")


@tagged("post_install", "-at_install")
class TestFranchiseData(FranchiseCommon):
    def test_two_franchisees_cannot_claim_one_area(self):
        with self.assertRaisesRegex(
            ValidationError, "08 is already covered by Repairs Barcelona"
        ):
            self.env["callgest.franchise.area"].create(
                {"franchisee_id": self.franchisees["madrid"].id, "name": "08"}
            )
        # written differently, the same area
        with self.assertRaisesRegex(ValidationError, "already covered"):
            self.env["callgest.franchise.area"].create(
                {"franchisee_id": self.franchisees["madrid"].id, "name": " 0 8 "}
            )
        # a more specific area is another area
        area = self.env["callgest.franchise.area"].create(
            {"franchisee_id": self.franchisees["madrid"].id, "name": "082"}
        )
        self.assertEqual(area.key, "082")
        self.assertEqual(
            self.route("08201")["franchisee_id"], self.franchisees["madrid"].id
        )

    def test_bad_areas(self):
        for name in ("1", "99", "123456", "!!"):
            with self.subTest(name=name):
                with self.assertRaisesRegex(ValidationError, "is not an area"):
                    self.env["callgest.franchise.area"].create(
                        {"franchisee_id": self.franchisees["madrid"].id, "name": name}
                    )

    def test_a_network_is_a_collective(self):
        with self.assertRaisesRegex(ValidationError, "collective"):
            self.network.callgest_client_type = "individual"

    def test_transfer_numbers(self):
        transfer = self.franchisees["madrid"].callgest_franchise_transfer_ids
        self.assertEqual(transfer.number, "+34910000001")
        with self.assertRaisesRegex(ValidationError, "not a telephone number"):
            transfer.number = "12"
        with self.assertRaisesRegex(ValidationError, "at least one second"):
            transfer.ring_seconds = 0

    def test_secretary_reads_supervisor_manages(self):
        area = self.franchisees["madrid"].callgest_franchise_area_ids
        self.assertEqual(area.with_user(self.secretary).name, "28")
        with self.assertRaises(AccessError):
            area.with_user(self.secretary).name = "29"
        area.with_user(self.supervisor).name = "29"
        self.assertEqual(area.key, "29")

    def test_offline_coordinates(self):
        franchisee = self.franchisees["madrid"]
        franchisee.write(
            {"partner_latitude": 0, "partner_longitude": 0, "zip": "08201"}
        )
        self.assertEqual(franchisee._callgest_franchise_coordinates(), (41.55, 2.11))
        franchisee.action_callgest_locate_offline()
        self.assertEqual(
            (franchisee.partner_latitude, franchisee.partner_longitude), (41.55, 2.11)
        )
        franchisee.write({"zip": "99999", "city": "Atlantis"})
        with self.assertRaisesRegex(UserError, "offline table"):
            franchisee.action_callgest_locate_offline()


@tagged("post_install", "-at_install")
class TestFranchiseRecados(FranchiseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Recipient = cls.env["callgest.recipient"]
        cls.network_recipient = Recipient.create(
            {
                "partner_id": cls.network.id,
                "channel": "email",
                "address": "central@repairs.example.com",
            }
        )
        cls.madrid_recipient = Recipient.create(
            {
                "partner_id": cls.network.id,
                "franchisee_id": cls.franchisees["madrid"].id,
                "channel": "email",
                "address": "madrid@repairs.example.com",
            }
        )

    def recado(self, franchisee=None):
        message = self.env["callgest.message"].create(
            {
                "ddi_id": self.ddi.id,
                "professional_id": franchisee.id if franchisee else False,
                "caller_name": "A caller",
                "body": "Please call back about the boiler.",
            }
        )
        message.action_submit()
        return message.delivery_ids.mapped("address")

    def test_recado_to_the_franchisee_own_recipients(self):
        self.assertEqual(
            self.recado(self.franchisees["madrid"]), ["madrid@repairs.example.com"]
        )

    def test_franchisee_without_recipients_reaches_the_network(self):
        self.assertEqual(
            self.recado(self.franchisees["sevilla"]), ["central@repairs.example.com"]
        )

    def test_network_recado(self):
        self.assertEqual(self.recado(), ["central@repairs.example.com"])
