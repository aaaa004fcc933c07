from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_partner = cls.env["res.partner"].create(
            {"name": "Tour Clinic", "is_company": True, "is_callgest_client": True}
        )
        new_test_user(
            cls.env,
            login="tour_supervisor",
            password="tour_supervisor",
            groups="callgest_base.group_callgest_supervisor",
        )
        new_test_user(
            cls.env,
            login="tour_secretary",
            password="tour_secretary",
            groups="callgest_base.group_callgest_secretary",
        )

    def test_supervisor_creates_activates_and_finds_a_ddi(self):
        self.start_tour(
            "/odoo", "callgest_ddi_supervisor_tour", login="tour_supervisor"
        )
        ddi = self.env["callgest.ddi"].search([("number", "=", "+34933906799")])
        self.assertEqual(ddi.state, "active")
        self.assertEqual(ddi.partner_id, self.client_partner)
        self.assertEqual(ddi.number_entered, "0034 933 906 799")

    def test_supervisor_creates_a_client(self):
        self.start_tour(
            "/odoo/action-callgest_base.action_callgest_client",
            "callgest_client_supervisor_tour",
            login="tour_supervisor",
        )
        client = self.env["res.partner"].search([("callgest_client_code", "=", "4321")])
        self.assertEqual(client.name, "Tour Dental Clinic")
        self.assertTrue(client.is_callgest_client)
        self.assertEqual(client.callgest_service_level, "level_2")
        self.assertEqual(client.callgest_service_state, "onboarding")
        self.assertTrue(client.callgest_onboarding_date)

    def test_secretary_sees_ddis_read_only(self):
        self.env["callgest.ddi"].create(
            {
                "number_entered": "+34 933 906 798",
                "partner_id": self.client_partner.id,
                "state": "active",
            }
        )
        self.start_tour(
            "/odoo/action-callgest_base.action_callgest_ddi",
            "callgest_ddi_secretary_tour",
            login="tour_secretary",
        )
