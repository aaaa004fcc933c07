from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_network


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    """The secretary finds a caller's franchisee in her console and takes
    the recado for it (the network is made here: its franchisees are open at
    every hour, the console routing at the current time)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.network, cls.ddi, cls.madrid, cls.barcelona = create_network(
            cls.env,
            "Tour Repairs",
            "+34 910 700 482",
            madrid_numbers=[
                ("Shop", "+34 915 330 482", 20),
                ("Technician", "+34 611 402 482", 25),
            ],
            barcelona_numbers=[("Shop", "+34 932 110 482", 20)],
        )
        new_test_user(
            cls.env,
            login="tour_franchise_secretary",
            password="tour_franchise_secretary",
            groups="callgest_base.group_callgest_secretary",
        )

    def test_secretary_routes_a_franchise_call(self):
        self.start_tour(
            "/odoo/action-callgest_console.action_callgest_call_console",
            "callgest_franchise_console_tour",
            login="tour_franchise_secretary",
        )
        recado = self.env["callgest.message"].search(
            [("partner_id", "=", self.network.id)]
        )
        self.assertEqual(len(recado), 1)
        self.assertEqual(recado.professional_id, self.madrid)
        self.assertEqual(recado.caller_name, "Tour Caller")
        self.assertEqual(
            recado.body,
            "Routed to Tour Repairs Madrid (postal code 45001)\n"
            "The washing machine does not spin.",
        )
        self.assertEqual(recado.delivery_ids.recipient_id.franchisee_id, self.madrid)
        routings = self.env["callgest.franchise.routing"].search(
            [("network_id", "=", self.network.id)], order="id"
        )
        # the unknown postal code first, then Toledo's with the recado
        self.assertEqual(routings.mapped("query"), ["99001", "45001"])
        self.assertFalse(routings[0].message_id)
        self.assertEqual(routings[1].message_id, recado)
        self.assertEqual(routings[1].caller_number, "611 222 482")
