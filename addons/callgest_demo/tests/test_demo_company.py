from decimal import Decimal
from unittest import SkipTest

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.callgest_billing.tools import rating

from .common import mod303_box


@tagged("post_install", "-at_install", "demo_data")
class TestDemoCompany(TransactionCase):
    """The demo (demo/callgest_demo.xml): the demo company is CallGest's
    Spanish answering service on l10n_es, and last month's invoices carry IVA
    21 % (Servicios) for the Spanish clients, by fiscal position for the
    foreign ones, the Chilean one in CLP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("base.module_callgest_demo").demo:
            # `make test` and `make run` install the demo data
            raise SkipTest("callgest_demo is installed without its demo data")
        cls.company = cls.env.ref("base.main_company")
        cls.chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.iva21s = cls.chart.ref("account_tax_template_s_iva21s")
        cls.start = (
            fields.Date.context_today(cls.env["res.partner"]) - relativedelta(months=1)
        ).replace(day=1)
        cls.period = cls.start.strftime("%Y-%m")
        # a database installed in an earlier month has no invoices for this
        # one yet: invoice it as the demo data does
        cls.env["callgest.invoicing"].run_period(cls.period)
        cls.invoices = cls.env["account.move"].search(
            [("callgest_period", "=", cls.period), ("company_id", "=", cls.company.id)]
        )

    def _client_invoice(self, xmlid):
        invoice = self.invoices.filtered(
            lambda m: m.partner_id == self.env.ref(xmlid).commercial_partner_id
        )
        self.assertEqual(len(invoice), 1, xmlid)
        return invoice

    def test_a_spanish_company_on_l10n_es(self):
        self.assertEqual(self.company.name, "CallGest Secretaría Remota S.L.")
        self.assertEqual(self.company.country_id, self.env.ref("base.es"))
        self.assertEqual(self.company.account_fiscal_country_id.code, "ES")
        self.assertEqual(self.company.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(self.company.chart_template, "es_pymes")
        self.assertEqual(self.company.vat, "ESB65123408")
        self.assertEqual(self.company.account_sale_tax_id, self.iva21s)
        self.assertFalse(
            self.env["account.tax"].search(
                [("company_id", "=", self.company.id), ("amount", "=", 15.0)]
            ),
            "no trace of the generic chart's 15 % tax",
        )
        for product in self.env["product.template"]._callgest_service_products():
            taxes = product.taxes_id.filtered(lambda t: t.company_id == self.company)
            self.assertEqual(taxes, self.iva21s, product.default_code)
        # setting it up again changes nothing
        self.assertFalse(self.env["res.company"]._callgest_demo_spain())

    def test_spanish_clients_pay_iva_21(self):
        spanish = self.invoices.filtered(
            lambda m: m.commercial_partner_id.country_id.code == "ES"
        )
        self.assertGreaterEqual(len(spanish), 5)
        domestic = self.chart.ref("fp_nacional")
        for invoice in spanish:
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(invoice.fiscal_position_id, domestic)
            lines = invoice.invoice_line_ids.filtered(
                lambda x: x.display_type == "product"
            )
            self.assertEqual(lines.tax_ids, self.iva21s)
            # IVA rounded per line, as the company rounds it
            expected = sum(
                (
                    rating.round_money(
                        Decimal(str(line.price_subtotal)) * Decimal("0.21"),
                        Decimal("0.01"),
                    )
                    for line in lines
                ),
                Decimal(0),
            )
            self.assertEqual(
                Decimal(str(invoice.amount_tax)), expected, invoice.partner_id.name
            )

    def test_foreign_clients(self):
        andes = self._client_invoice("callgest_base.client_inmobiliaria_andes")
        self.assertEqual(andes.currency_id, self.env.ref("base.CLP"))
        self.assertEqual(andes.fiscal_position_id, self.chart.ref("fp_extra"))
        self.assertEqual(
            andes.invoice_line_ids.tax_ids,
            self.chart.ref("account_tax_template_s_iva_e"),
        )
        self.assertEqual(andes.amount_tax, 0.0)
        baixa = self._client_invoice("callgest_base.client_contabilidade_baixa")
        self.assertEqual(baixa.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(baixa.fiscal_position_id, self.chart.ref("fp_intra"))
        self.assertEqual(
            baixa.invoice_line_ids.tax_ids,
            self.chart.ref("account_tax_template_s_iva0_sp_i"),
        )
        self.assertEqual(baixa.amount_tax, 0.0)

    def test_modelo_303_shows_the_iva_of_the_month(self):
        end = self.start + relativedelta(months=1, days=-1)

        def box(number):
            return mod303_box(self.env, self.company, number, self.start, end)

        spanish = self.invoices.filtered(
            lambda m: m.fiscal_position_id == self.chart.ref("fp_nacional")
        )
        self.assertEqual(
            box("07"), Decimal(str(round(sum(spanish.mapped("amount_untaxed")), 2)))
        )
        self.assertEqual(
            box("09"), Decimal(str(round(sum(spanish.mapped("amount_tax")), 2)))
        )
        self.assertGreater(box("09"), 0)
        andes = self._client_invoice("callgest_base.client_inmobiliaria_andes")
        self.assertEqual(box("60"), Decimal(str(round(andes.amount_untaxed_signed, 2))))
