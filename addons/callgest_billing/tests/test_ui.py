from datetime import date, datetime

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInvoicingUi(HttpCase):
    def test_invoice_a_month_from_the_menu(self):
        client = self.env["res.partner"].create(
            {
                "name": "Tour Billing Client",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "7701",
                "callgest_service_state": "active",
                "tz": "Europe/Madrid",
            }
        )
        ddi = self.env["callgest.ddi"].create(
            {
                "number_entered": "93 111 77 01",
                "country_id": self.env.ref("base.es").id,
                "partner_id": client.id,
            }
        )
        ddi.action_activate()
        ddi.activation_date = date(2020, 1, 1)
        pbx = self.env["callgest.pbx"].create(
            {"name": "Tour PBX", "code": "tour-billing", "timezone": "Europe/Madrid"}
        )
        call = (
            self.env["callgest.call"]
            .sudo()
            .create(
                {
                    "pbx_id": pbx.id,
                    "call_key": "tour-billing-1",
                    "company_id": self.env.company.id,
                    "direction": "inbound",
                    "ddi_id": ddi.id,
                    "partner_id": client.id,
                    "start_time": datetime(2020, 2, 3, 9, 0),
                    "answer_time": datetime(2020, 2, 3, 9, 0, 8),
                    "end_time": datetime(2020, 2, 3, 9, 1, 8),
                    "local_date": date(2020, 2, 3),
                    "robot_seconds": 8,
                    "secretary_seconds": 60,
                    "disposition": "answered",
                    "has_cdr": True,
                }
            )
        )
        self.env["callgest.usage"]._rate_calls(call)
        euro = self.env.ref("base.EUR")
        company = self.env.company
        if company.currency_id != euro and not euro.rate_ids.filtered(
            lambda r: r.company_id == company
        ):
            # without demo data the company is in USD with no rate for the
            # tariff's euros (the demo company is in EUR)
            self.env["res.currency.rate"].create(
                {
                    "name": "2020-01-01",
                    "rate": 0.9,
                    "currency_id": euro.id,
                    "company_id": company.id,
                }
            )
        new_test_user(
            self.env,
            login="tour_billing_accountant",
            password="tour_billing_accountant",
            groups="account.group_account_invoice,callgest_base.group_callgest_supervisor",
        )
        self.start_tour(
            "/odoo", "callgest_invoicing_tour", login="tour_billing_accountant"
        )
        invoice = call.usage_ids.invoice_id
        self.assertEqual(invoice.partner_id, client)
        self.assertEqual(invoice.callgest_period, "2020-02")
        self.assertEqual(
            self.env["account.move"].search_count(
                [("callgest_period", "=", "2020-02")]
            ),
            1,
        )
