from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    """callgest_crm's onboarding tour, with the fees billing adds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="tour_crm_billing_supervisor",
            password="tour_crm_billing_supervisor",
            groups="callgest_base.group_callgest_supervisor,"
            "sales_team.group_sale_salesman",
        )
        euro = cls.env.ref("base.EUR")
        company = cls.env.company
        if company.currency_id != euro:
            # without callgest_demo the company is in USD (with base's demo
            # rates, if any): the tariff's euros are proposed at par
            rates = cls.env["res.currency.rate"]
            for currency in euro | company.currency_id:
                rates.search(
                    [
                        ("currency_id", "=", currency.id),
                        ("company_id", "in", (company.id, False)),
                    ]
                ).unlink()
                rates.create(
                    {
                        "name": "2020-01-01",
                        "rate": 1.0,
                        "currency_id": currency.id,
                        "company_id": company.id,
                    }
                )
        won_stage = cls.env["crm.stage"].create(
            {"name": "Tour Won", "sequence": 901, "is_won": True}
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {"number_entered": "93 745 10 09", "country_id": cls.env.ref("base.es").id}
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Answering service for the tour physiotherapists",
                "type": "opportunity",
                "partner_name": "Tour Fisioteràpia Sabadell",
                "contact_name": "Tour Núria Roca",
                "email_from": "nuria@tour-fisio.example.com",
                "city": "Sabadell",
                "country_id": cls.env.ref("base.es").id,
                "stage_id": won_stage.id,
                "user_id": cls.user.id,
            }
        )

    def test_supervisor_onboards_a_won_lead_with_its_fees(self):
        self.start_tour(
            f"/odoo/crm.lead/{self.lead.id}",
            "callgest_crm_billing_onboarding_tour",
            login="tour_crm_billing_supervisor",
        )
        client = self.lead.partner_id
        # the day in the timezone of the user who onboarded
        today = fields.Date.context_today(client.with_user(self.user))
        self.assertEqual(client.name, "Tour Fisioteràpia Sabadell")
        self.assertEqual(client.callgest_client_code, "5432")
        self.assertEqual(client.callgest_service_level, "level_2")
        self.assertEqual(client.callgest_service_state, "active")
        self.assertEqual(client.callgest_onboarding_date, today)
        self.assertEqual(client.callgest_activation_date, today)
        self.assertEqual(client.tz, "Europe/Madrid")
        self.assertEqual(self.ddi.partner_id, client)
        self.assertEqual(self.ddi.state, "active")
        # the deposit is invoiced at once, the setup fee left to the monthly run
        self.assertEqual(client.callgest_deposit_held, 80.0)
        self.assertFalse(client.callgest_deposit_pending)
        self.assertEqual(client.callgest_setup_fee_pending, 95.0)
        self.assertEqual(client.callgest_fees_pending_date, today)
