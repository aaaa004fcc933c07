from datetime import date
from decimal import Decimal

from odoo.tests import tagged

from odoo.addons.callgest_billing.tests.common import CallgestBillingCommon

from .common import mod303_box

OCTOBER = "2026-10"


@tagged("post_install", "-at_install")
class TestSpanishVat(CallgestBillingCommon):
    """A Spanish answering service on l10n_es's chart for SMEs: CallGest
    invoices carry IVA 21 % (Servicios) through the products' taxes and the
    clients' fiscal positions, and Modelo 303 shows their base and IVA."""

    @classmethod
    @CallgestBillingCommon.setup_country("es")
    @CallgestBillingCommon.setup_chart_template("es_pymes")
    def setUpClass(cls):
        super().setUpClass()
        cls.company.vat = "ESB65123408"
        cls.clinic.vat = "ESB08654329"
        chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.iva21s = chart.ref("account_tax_template_s_iva21s")
        cls.iva21b = chart.ref("account_tax_template_s_iva21b")
        cls.fp_domestic = chart.ref("fp_nacional")
        cls.fp_intra = chart.ref("fp_intra")
        cls.fp_extra = chart.ref("fp_extra")

    def _invoice(self, client, ddi_number):
        """October for ``client``: 100 s of secretary time on a DDI in
        service all month; the invoice posted."""
        if not client.callgest_ddi_ids:
            self.make_ddi(ddi_number, client)
        self.make_call(client, self.at(date(2026, 10, 5)), 100)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [client.id])
        )
        self.assertEqual(len(move), 1)
        move.action_post()
        return move

    def _box(self, box):
        return mod303_box(
            self.env, self.company, box, date(2026, 10, 1), date(2026, 10, 31)
        )

    def test_service_products_get_iva_21_services(self):
        # the chart's default sale tax is IVA 21 % (Bienes): loading it gave
        # the CallGest service products its services variant instead
        self.assertEqual(self.company.account_sale_tax_id, self.iva21b)
        products = self.env["product.template"]._callgest_service_products()
        for code in ("CG-SEC1", "CG-ROBOT", "CG-DDI", "CG-MIN", "CG-PRE20"):
            self.assertIn(code, products.mapped("default_code"))
        for product in products:
            taxes = product.taxes_id.filtered(lambda t: t.company_id == self.company)
            self.assertEqual(taxes, self.iva21s, product.default_code)
        deposit = self.env.ref("callgest_billing.product_deposit")
        self.assertNotIn(deposit.product_tmpl_id, products)
        self.assertFalse(deposit.taxes_id, "a deposit is held, not sold: no IVA")

    def test_spanish_client_invoice_with_iva_21_in_modelo_303(self):
        Company = self.env["res.company"]
        self.assertFalse(Company._callgest_demo_own_entries(self.company))
        move = self._invoice(self.clinic, "93 111 22 01")
        # the demo setup would now leave this company's chart alone
        self.assertTrue(Company._callgest_demo_own_entries(self.company))
        self.assertEqual(move.fiscal_position_id, self.fp_domestic)
        lines = move.invoice_line_ids.filtered(lambda x: x.display_type == "product")
        # 100 s x 0.013 = 1.30; the DDI 9.00; the top-up to the minimum
        # 60 - 10.30 = 49.70; IVA 21 % per line: 0.273 -> 0.27,
        # 1.89, 10.437 -> 10.44; 0.27 + 1.89 + 10.44 = 12.60 (= 21 % of 60)
        self.assertRecordValues(
            lines,
            [
                {"price_subtotal": 1.30, "tax_ids": self.iva21s.ids},
                {"price_subtotal": 9.00, "tax_ids": self.iva21s.ids},
                {"price_subtotal": 49.70, "tax_ids": self.iva21s.ids},
            ],
        )
        self.assertEqual(move.currency_id, self.env.ref("base.EUR"))
        self.assertAlmostEqual(move.amount_untaxed, 60.00)
        self.assertAlmostEqual(move.amount_tax, 12.60)
        self.assertAlmostEqual(move.amount_total, 72.60)
        # Modelo 303: box 07 the base at 21 %, box 09 its IVA
        self.assertEqual(self._box("07"), Decimal("60.00"))
        self.assertEqual(self._box("09"), Decimal("12.60"))

    def test_foreign_clients_by_fiscal_position(self):
        """An EU business with a VAT number: intra-community services, no
        Spanish IVA (the client self-assesses it), box 59. A business outside
        the EU, invoiced in CLP: l10n_es's "Régimen Extracomunitario" maps
        IVA 21 % (Servicios) to "IVA 0% Extracomunitaria (Servicios)", box 60,
        in EUR at the company's rate."""
        lisbon = self.make_client(
            "Billing Lisboa", "8803", country_id=self.env.ref("base.pt").id
        )
        lisbon.vat = "PT512345678"
        peso = self.setup_other_currency("CLP", rates=[("2026-01-01", 1000.0)])
        santiago = self.make_client(
            "Billing Santiago",
            "8804",
            country_id=self.env.ref("base.cl").id,
            callgest_billing_currency_id=peso.id,
        )
        chart = self.env["account.chart.template"].with_company(self.company)
        intra = chart.ref("account_tax_template_s_iva0_sp_i")
        extra = chart.ref("account_tax_template_s_iva_e")

        pt_move = self._invoice(lisbon, "93 111 22 03")
        self.assertEqual(pt_move.fiscal_position_id, self.fp_intra)
        self.assertEqual(pt_move.invoice_line_ids.tax_ids, intra)
        # 1.30 + 9.00 + 49.70 = 60.00, no IVA
        self.assertAlmostEqual(pt_move.amount_untaxed, 60.00)
        self.assertAlmostEqual(pt_move.amount_tax, 0.0)

        cl_move = self._invoice(santiago, "93 111 22 04")
        self.assertEqual(cl_move.currency_id, peso)
        self.assertEqual(cl_move.fiscal_position_id, self.fp_extra)
        self.assertEqual(cl_move.invoice_line_ids.tax_ids, extra)
        # at 1,000 CLP per EUR: 100 s x 13 = 1,300; 9,000; 49,700 = 60,000 CLP
        self.assertAlmostEqual(cl_move.amount_untaxed, 60000.0)
        self.assertAlmostEqual(cl_move.amount_tax, 0.0)
        self.assertAlmostEqual(cl_move.amount_untaxed_signed, 60.00)

        self.assertEqual(self._box("59"), Decimal("60.00"))
        self.assertEqual(self._box("60"), Decimal("60.00"))
        self.assertEqual(self._box("07"), Decimal(0))
        self.assertEqual(self._box("09"), Decimal(0))
