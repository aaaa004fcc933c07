from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import always_open


def euro_at_par(env):
    """Without callgest_demo the company is in USD (with base's demo rates,
    if any): the tariff's euros are taken at par, so that the figures are
    the tariff's."""
    euro = env.ref("base.EUR")
    company = env.company
    if company.currency_id != euro:
        rates = env["res.currency.rate"]
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
        euro_at_par(cls.env)
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


@tagged("post_install", "-at_install")
class TestQuoteUi(HttpCase):
    """The quote as its users make it: a salesman from the prospect's calls,
    a visitor on the public page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="tour_quote_salesman",
            password="tour_quote_salesman",
            groups="sales_team.group_sale_salesman",
            tz="Europe/Madrid",
        )
        euro_at_par(cls.env)
        always_open(cls.env, "Tour always open", "Europe/Madrid")
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Answering service for the tour workshop",
                "type": "opportunity",
                "partner_name": "Tour Taller Mecánico Reus",
                "contact_name": "Tour Pau Ferrer",
                "email_from": "pau@tour-taller.example.com",
                "user_id": cls.salesman.id,
            }
        )

    def test_salesman_quotes_from_the_prospects_calls(self):
        self.start_tour(
            f"/odoo/crm.lead/{self.lead.id}",
            "callgest_crm_billing_quote_tour",
            login="tour_quote_salesman",
        )
        quote = self.lead.callgest_quote_id
        self.assertEqual(
            (quote.source, quote.sample_format, quote.calls_count),
            ("sample", "plain", 3),
        )
        self.assertEqual(quote.file_name, "llamadas.csv")
        self.assertAlmostEqual(quote.monthly_estimate, 68.35, places=2)
        sent = self.lead.message_ids.filtered("attachment_ids")
        self.assertEqual(len(sent), 1)
        self.assertIn(quote.name, sent.attachment_ids.name)

    def test_visitor_asks_for_an_estimate(self):
        self.start_tour("/callgest/quote", "callgest_crm_billing_public_quote_tour")
        lead = self.env["crm.lead"].search(
            [("email_from", "=", "visitor@tour-quote.example.com")]
        )
        self.assertEqual(len(lead), 1, "the refused request created nothing")
        self.assertEqual(lead.partner_name, "Tour Talleres SL")
        self.assertEqual(lead.callgest_quote_id.origin, "public")
        self.assertAlmostEqual(lead.callgest_quote_id.monthly_estimate, 348.30, 2)
        self.assertAlmostEqual(lead.expected_revenue, 348.30 * 12 + 95, 2)
