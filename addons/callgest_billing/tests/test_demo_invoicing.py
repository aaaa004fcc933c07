from collections import defaultdict
from decimal import Decimal
from unittest import SkipTest

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..tools import rating


@tagged("post_install", "-at_install", "demo_data")
class TestDemoInvoicing(TransactionCase):
    """The demo data invoices the previous month (callgest_demo, or this
    test): the invoices match a hand computation from the rated usage and the
    tariff."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("base.module_callgest_billing").demo:
            # `make test` and `make run` install the demo data
            raise SkipTest("callgest_billing is installed without its demo data")
        cls.company = cls.env.ref("base.main_company")
        cls.period = (
            fields.Date.context_today(cls.env["res.partner"]) - relativedelta(months=1)
        ).strftime("%Y-%m")
        cls.clients = cls.env["res.partner"].search(
            [
                ("is_callgest_client", "=", True),
                ("company_id", "in", (cls.company.id, False)),
            ]
        )
        # a database installed in an earlier month has no invoices for this
        # one yet: invoice it as the demo data does
        cls.env["callgest.invoicing"].run_period(cls.period)
        cls.invoices = cls.env["account.move"].search(
            [("callgest_period", "=", cls.period), ("company_id", "=", cls.company.id)]
        )
        cls.usage = cls.env["callgest.usage"].search(
            [
                ("partner_id", "in", cls.clients.ids),
                ("period", "=", cls.period),
                ("late", "=", False),
            ]
        )

    def _expected_invoice_partners(self, client):
        """Who receives the invoices of ``client``'s usage of the period."""
        usage = self.usage.filtered(lambda u: u.partner_id == client)
        if (
            client.callgest_invoice_grouping == "reseller"
            and client.callgest_reseller_id
        ):
            return client.callgest_reseller_id.commercial_partner_id
        if client.callgest_invoice_grouping == "professional":
            return usage.mapped(
                lambda u: u.professional_id or client.commercial_partner_id
            )
        return client.commercial_partner_id

    def test_one_invoice_per_client_with_usage(self):
        clients_with_usage = self.usage.partner_id
        self.assertGreaterEqual(len(clients_with_usage), 5)
        expected = self.env["res.partner"]
        for client in clients_with_usage:
            partners = self._expected_invoice_partners(client)
            for partner in partners:
                invoices = self.invoices.filtered(
                    lambda m, p=partner: m.partner_id == p
                )
                self.assertEqual(
                    len(invoices),
                    1,
                    f"{partner.display_name}: one invoice for {self.period}",
                )
            expected |= partners
        self.assertEqual(self.invoices.partner_id, expected)
        self.assertEqual(set(self.usage.mapped("state")), {"invoiced"})
        self.assertLessEqual(self.usage.invoice_id, self.invoices)

    def test_collective_and_reseller_invoices(self):
        ferrer = self.env.ref("callgest_base.client_ferrer_soler")
        professionals = self.usage.filtered(
            lambda u: u.partner_id == ferrer
        ).professional_id
        self.assertTrue(professionals, "the demo collective has per-professional usage")
        for professional in professionals:
            invoice = self.invoices.filtered(
                lambda m, p=professional: m.partner_id == p
            )
            self.assertEqual(len(invoice), 1)
            self.assertEqual(
                invoice.invoice_line_ids._callgest_usage().professional_id,
                professional,
            )
        vozplus = self.env.ref("callgest_base.client_vozplus")
        fisio = self.env.ref("callgest_base.client_fisio_gracia")
        reseller_invoice = self.invoices.filtered(lambda m: m.partner_id == vozplus)
        self.assertEqual(len(reseller_invoice), 1)
        sections = reseller_invoice.line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertIn(fisio.display_name, sections.mapped("name"))
        self.assertFalse(self.invoices.filtered(lambda m: m.partner_id == fisio))

    def test_totals_match_hand_computation(self):
        """Untaxed total = sum of round(quantity × price) of each line's usage,
        prices converted from the tariff's currency with the company's rates."""
        self.assertTrue(self.invoices)
        for invoice in self.invoices:
            usage_by_line = defaultdict(lambda: self.env["callgest.usage"])
            for usage in self.env["callgest.usage"].search(
                [("invoice_id", "=", invoice.id)]
            ):
                usage_by_line[usage.invoice_line_id] |= usage
            expected = Decimal(0)
            for usage in usage_by_line.values():
                expected += self._hand_line_total(usage, invoice)
            self.assertEqual(
                Decimal(str(invoice.amount_untaxed)),
                expected,
                f"{invoice.partner_id.display_name}: untaxed total",
            )

    def _hand_line_total(self, usage, invoice):
        tariff_currency = usage.currency_id
        self.assertEqual(len(tariff_currency), 1)
        ratio = Decimal(
            str(
                tariff_currency._get_conversion_rate(
                    tariff_currency,
                    invoice.currency_id,
                    self.company,
                    invoice.invoice_date,
                )
            )
        )
        price_rounding = Decimal(1).scaleb(
            -self.env["decimal.precision"].precision_get("Product Price")
        )

        def price(value):
            value = Decimal(str(value))
            if ratio == 1:
                return value
            return rating.round_money(value * ratio, price_rounding)

        quantity = sum((Decimal(str(u.quantity)) for u in usage), Decimal(0))
        unit_prices = set(usage.mapped("unit_price"))
        amount = sum((Decimal(str(u.amount)) for u in usage), Decimal(0))
        fee = sum((Decimal(str(u.connect_fee)) for u in usage), Decimal(0))
        rounding = invoice.currency_id.rounding
        if len(unit_prices) == 1:
            unit_price = Decimal(str(unit_prices.pop()))
            if quantity and quantity * unit_price + fee == amount:
                total = rating.round_money(quantity * price(unit_price), rounding)
                if fee:
                    total += rating.round_money(price(fee), rounding)
                return total
        return rating.round_money(price(amount), rounding)

    def test_agenda_cap_and_tariff_prices(self):
        tecno = self.env.ref("callgest_base.client_tecnoreparaciones")
        invoice = self.invoices.filtered(lambda m: m.partner_id == tecno)
        self.assertEqual(len(invoice), 1)
        agenda = invoice.invoice_line_ids.filtered(
            lambda line: "agenda_module" in line._callgest_usage().mapped("usage")
        )
        self.assertEqual(tecno.callgest_agenda_modules, 12)
        self.assertEqual(agenda.price_subtotal, 90.0, "12 × 9 EUR, capped at 90 EUR")
        secretary = self.usage.filtered(
            lambda u: u.partner_id == tecno and u.usage == "secretary_l1"
        )
        seconds = sum(secretary.mapped("quantity"))
        line = invoice.invoice_line_ids.filtered(
            lambda line: "secretary_l1" in line._callgest_usage().mapped("usage")
        )
        self.assertEqual(line.quantity, seconds)
        self.assertEqual(
            Decimal(str(line.price_subtotal)),
            rating.round_money(
                Decimal(str(seconds)) * Decimal("0.013"), Decimal("0.01")
            ),
        )

    def test_clients_billed_in_their_currency(self):
        eur = self.env.ref("base.EUR")
        clp = self.env.ref("base.CLP")
        andes = self.env.ref("callgest_base.client_inmobiliaria_andes")
        self.assertEqual(andes.callgest_billing_currency_id, clp)
        andes_invoice = self.invoices.filtered(lambda m: m.partner_id == andes)
        self.assertEqual(len(andes_invoice), 1)
        self.assertEqual(andes_invoice.currency_id, clp)
        self.assertEqual(
            self.usage.filtered(lambda u: u.partner_id == andes).currency_id, eur
        )
        self.assertEqual(
            (self.invoices - andes_invoice).currency_id, eur, "the others in EUR"
        )

    def test_second_run_creates_nothing(self):
        moves, message = self.env["callgest.invoicing"]._run_period(self.period)
        self.assertFalse(moves)
        self.assertIn("Nothing to invoice", message)
        self.assertIn(self.period, message)
        self.assertEqual(self.env["callgest.invoicing"].run_period(self.period), [])

    def test_the_providers_own_line_is_not_invoiced(self):
        # the company's own information line (callgest_crm's demo has one; a
        # second one here, whatever is installed) is not a client's
        provider = self.company.partner_id
        ddi = self.env["callgest.ddi"].create(
            {
                "number_entered": "+34 933 906 729",
                "country_id": self.env.ref("base.es").id,
                "partner_id": provider.id,
            }
        )
        ddi.action_activate()
        ddi.activation_date = fields.Date.to_date(f"{self.period}-01")
        moves, _message = self.env["callgest.invoicing"]._run_period(self.period)
        self.assertNotIn(provider, (self.invoices | moves).partner_id)
