from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import create_network

NETWORK_DDI = "+34 910 700 481"
OTHER_DDI = "+34 910 700 483"
CALLER = "+34 600 100 200"


@tagged("post_install", "-at_install")
class TestConsoleFranchise(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.secretary = new_test_user(
            cls.env,
            login="test_franchise_secretary",
            groups="callgest_base.group_callgest_secretary",
        )
        cls.network, cls.ddi, cls.madrid, cls.barcelona = create_network(
            cls.env,
            "Test Repairs",
            NETWORK_DDI,
            madrid_numbers=[
                ("Shop", "915 330 402", 20),
                ("Technician", "+34 611 402 001", 25),
            ],
        )
        cls.other, cls.other_ddi, cls.other_madrid, _other_barcelona = create_network(
            cls.env, "Other Repairs", OTHER_DDI
        )
        cls.recipients = cls.env["callgest.recipient"].search(
            [("partner_id", "=", cls.network.id)]
        )
        cls.Console = cls.env["callgest.call.console"].with_user(cls.secretary)
        cls.Routing = cls.env["callgest.franchise.routing"].with_user(cls.secretary)
        cls.Message = cls.env["callgest.message"]

    def recipient(self, franchisee):
        return self.recipients.filtered(
            lambda recipient: recipient.franchisee_id == franchisee
        )

    def recado(self, routing_id, body="The boiler leaks.", ddi_number=NETWORK_DDI):
        values = {
            "ddi_number": ddi_number,
            "caller_name": "Marta Soler",
            "caller_number": CALLER,
            "category_code": "message",
            "urgency": "normal",
            "body": body,
        }
        if routing_id is not None:
            values["franchise_routing_id"] = routing_id
        return self.Console.create_recado(values)

    def test_console_data_says_franchise_network(self):
        data = self.Console.console_data(NETWORK_DDI, CALLER)
        self.assertEqual(data["client"], "Test Repairs")
        self.assertTrue(data["franchise_network"])
        clinic = self.env["res.partner"].create(
            {
                "name": "Test Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "country_id": self.env.ref("base.es").id,
            }
        )
        self.env["callgest.ddi"].create(
            {"number_entered": "+34 933 906 781", "partner_id": clinic.id}
        ).action_activate()
        data = self.Console.console_data("+34 933 906 781", CALLER)
        self.assertEqual(data["client"], "Test Clinic")
        self.assertFalse(data["franchise_network"])

    def test_recado_goes_to_the_routed_franchisee(self):
        routed = self.Routing.route(NETWORK_DDI, "45001", CALLER)
        self.assertEqual(routed["franchisee_id"], self.madrid.id)
        self.assertEqual(routed["reason"], "covers")
        self.assertEqual(routed["message"], "Test Repairs Madrid covers Toledo.")
        self.assertTrue(routed["open"])
        self.assertEqual(
            [(t["number"], t["ring_seconds"]) for t in routed["transfers"]],
            [("+34915330402", 20), ("+34611402001", 25)],
        )
        self.assertEqual(
            [rank["id"] for rank in routed["ranking"]],
            [self.madrid.id, self.barcelona.id],
        )
        result = self.recado(routed["routing_id"])
        self.assertEqual(result["franchisee"], "Test Repairs Madrid")
        recado = self.Message.browse(result["id"])
        self.assertEqual(result["name"], recado.name)
        self.assertEqual(recado.partner_id, self.network)
        self.assertEqual(recado.professional_id, self.madrid)
        self.assertEqual(recado.state, "to_deliver")
        self.assertEqual(
            recado.body,
            "Routed to Test Repairs Madrid (postal code 45001)\nThe boiler leaks.",
        )
        routing = self.env["callgest.franchise.routing"].browse(routed["routing_id"])
        self.assertEqual(routing.message_id, recado)
        self.assertEqual(routing.user_id, self.secretary)
        # Madrid's own recipient, neither the network's nor Barcelona's
        self.assertEqual(recado.delivery_ids.recipient_id, self.recipient(self.madrid))
        self.assertEqual(recado.delivery_ids.address, "madrid@test-repairs.example.com")

    def test_a_town_and_the_other_franchisee(self):
        routed = self.Routing.route(NETWORK_DDI, "Sabadell", CALLER)
        self.assertEqual(routed["franchisee_id"], self.barcelona.id)
        recado = self.Message.browse(self.recado(routed["routing_id"], body="")["id"])
        self.assertEqual(recado.professional_id, self.barcelona)
        self.assertEqual(
            recado.body,
            "Routed to Test Repairs Barcelona (Sabadell, postal code 08201)",
        )
        self.assertEqual(
            recado.delivery_ids.recipient_id, self.recipient(self.barcelona)
        )

    def test_unknown_postal_code_is_the_network_s_recado(self):
        for query in ("99001", "Atlantis", ""):
            with self.subTest(query=query):
                routed = self.Routing.route(NETWORK_DDI, query, CALLER)
                self.assertFalse(routed["franchisee_id"])
                self.assertEqual(routed["reason"], "unknown_place")
                self.assertIn("neither a Spanish postal code", routed["message"])
                self.assertEqual(routed["transfers"], [])
                result = self.recado(routed["routing_id"])
                self.assertFalse(result["franchisee"])
                recado = self.Message.browse(result["id"])
                self.assertFalse(recado.professional_id)
                self.assertEqual(
                    recado.body,
                    f"For the network Test Repairs, no franchisee ({query or '-'})\n"
                    "The boiler leaks.",
                )
                self.assertEqual(
                    self.env["callgest.franchise.routing"]
                    .browse(routed["routing_id"])
                    .message_id,
                    recado,
                )
                # the network's general recipient only
                self.assertEqual(
                    recado.delivery_ids.recipient_id,
                    self.recipient(self.env["res.partner"]),
                )

    def test_routing_of_another_network_refused(self):
        routed = self.Routing.route(OTHER_DDI, "45001", CALLER)
        self.assertEqual(routed["franchisee_id"], self.other_madrid.id)
        count = self.Message.search_count([])
        with self.assertRaisesRegex(UserError, "routing is of Other Repairs"):
            self.recado(routed["routing_id"])
        with self.assertRaisesRegex(UserError, "does not exist"):
            self.recado(routed["routing_id"] + 1000)
        with self.assertRaisesRegex(UserError, "not a franchise routing"):
            self.recado("abc")
        self.assertEqual(self.Message.search_count([]), count)
        routing = self.env["callgest.franchise.routing"].browse(routed["routing_id"])
        self.assertFalse(routing.message_id)
        # a routing takes one recado
        routed = self.Routing.route(NETWORK_DDI, "28001", CALLER)
        self.recado(routed["routing_id"])
        with self.assertRaisesRegex(UserError, "already has its recado"):
            self.recado(routed["routing_id"])

    def test_without_routing_as_before(self):
        result = self.recado(None)
        self.assertFalse(result["franchisee"])
        recado = self.Message.browse(result["id"])
        self.assertFalse(recado.professional_id)
        self.assertEqual(recado.body, "The boiler leaks.")
        self.assertEqual(
            recado.delivery_ids.recipient_id, self.recipient(self.env["res.partner"])
        )
        # the recados made after one with a routing are not for its franchisee
        routed = self.Routing.route(NETWORK_DDI, "45001", CALLER)
        self.recado(routed["routing_id"])
        recado = self.Message.browse(self.recado(None)["id"])
        self.assertFalse(recado.professional_id)
