"""A client served by two companies of the provider (issue 13, point 2).

The Spanish company and the Lisbon one each keep their own service settings
of the client (company-dependent fields of res.partner): tariff, billing
mode, prepaid account, transfer cap, pending setup fee and the earliest month
still to invoice. Each company's rating and invoicing read its own; a user of
one company neither reads nor writes the other's.
"""

from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CallgestBillingCommon

OCTOBER = "2026-10"

# A Master.csv row of the default Asterisk layout (17 columns)
ROW = (
    '"","912345678","{dst}","from-pstn","""Caller"" <912345678>","SIP/trunk-1",'
    '"SIP/301-2","Dial","SIP/301,30","{start}","{answer}","{end}",'
    '{duration},{billsec},"ANSWERED","DOCUMENTATION","{key}"'
)


def lines_by_code(move):
    return {
        line.product_id.default_code: line
        for line in move.invoice_line_ids
        if line.display_type == "product"
    }


@tagged("post_install", "-at_install")
class TestServicePerCompany(CallgestBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spain_co = cls.company
        portugal = cls.env.ref("base.pt")
        # on the test chart of accounts (a Portuguese country would ask for
        # l10n_pt's), then in Portugal
        cls.lisbon_co = cls.setup_other_company(
            name="CallGest Lisboa, Lda.",
            currency_id=cls.env.ref("base.EUR").id,
        )["company"]
        cls.lisbon_co.country_id = portugal
        cls.env.user.company_ids |= cls.lisbon_co
        # each company's tariff, a secretary second priced differently
        cls.spain_tariff = cls.copy_tariff(cls.tariff, cls.spain_co, "Clinic ES", 0.02)
        cls.lisbon_tariff = cls.copy_tariff(
            cls.tariff, cls.lisbon_co, "Lisboa", 0.05, is_default=True
        )
        cls.lisbon_ddi = cls.make_ddi(
            "21 700 00 01",
            cls.clinic,
            company_id=cls.lisbon_co.id,
            country_id=portugal.id,
        )
        cls.lisbon_pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Lisbon PBX",
                "code": "lisbon-pbx",
                "timezone": "Europe/Lisbon",
                "country_id": portugal.id,
                "company_id": cls.lisbon_co.id,
            }
        )
        # the clinic's settings in each company
        cls.clinic.with_company(cls.spain_co).write(
            {
                "callgest_tariff_id": cls.spain_tariff.id,
                "callgest_setup_fee_pending": 95.0,
                "callgest_transfer_cap_seconds": 600,
            }
        )
        cls.clinic.with_company(cls.lisbon_co).write(
            {
                "callgest_setup_fee_pending": 40.0,
                "callgest_transfer_cap_seconds": 60,
            }
        )
        # a supervisor of the Spanish company only
        cls.spanish_supervisor = new_test_user(
            cls.env,
            login="supervisor-es",
            groups="base.group_user,callgest_base.group_callgest_supervisor",
            company_id=cls.spain_co.id,
            company_ids=[Command.set(cls.spain_co.ids)],
        )

    @classmethod
    def copy_tariff(cls, tariff, company, name, secretary_price, **values):
        copy = tariff.sudo().copy(
            {"name": name, "company_id": company.id, "is_default": False, **values}
        )
        for rate in tariff.sudo().rate_ids:
            rate.copy({"tariff_id": copy.id})
        copy.rate_ids.filtered(
            lambda rate: rate.usage == "secretary_l1"
        ).price = secretary_price
        return copy

    def in_spain(self, record):
        return record.with_company(self.spain_co)

    def in_lisbon(self, record):
        return record.with_company(self.lisbon_co)

    def make_lisbon_call(self, start, secretary=0, robot=0, transfer=0):
        type(self).call_count += 1
        answer = start + timedelta(seconds=robot) if secretary else None
        call = (
            self.env["callgest.call"]
            .sudo()
            .create(
                {
                    "pbx_id": self.lisbon_pbx.id,
                    "call_key": f"lisbon-{self.call_count}",
                    "company_id": self.lisbon_co.id,
                    "direction": "inbound",
                    "ddi_id": self.lisbon_ddi.id,
                    "partner_id": self.clinic.id,
                    "caller_number": "+351912345678",
                    "called_number": self.lisbon_ddi.number,
                    "transfer_to": "+351213000000" if transfer else False,
                    "start_time": start,
                    "answer_time": answer,
                    "end_time": start + timedelta(seconds=robot + secretary + transfer),
                    "local_date": start.date(),
                    "duration": robot + secretary + transfer,
                    "robot_seconds": robot,
                    "secretary_seconds": secretary,
                    "transfer_seconds": transfer,
                    "disposition": "answered" if secretary else "missed",
                    "has_cdr": True,
                }
            )
        )
        self.Usage._rate_calls(call)
        return call

    # ------------------------------------------------------------------
    def test_each_company_keeps_its_own_settings(self):
        self.in_lisbon(self.clinic).write(
            {
                "callgest_billing_mode": "prepaid",
                "callgest_prepaid_exhausted_behaviour": "stop",
            }
        )
        spain, lisbon = self.in_spain(self.clinic), self.in_lisbon(self.clinic)
        self.assertEqual(spain.callgest_tariff_id, self.spain_tariff)
        self.assertEqual(spain.callgest_effective_tariff_id, self.spain_tariff)
        self.assertFalse(lisbon.callgest_tariff_id)
        self.assertEqual(lisbon.callgest_effective_tariff_id, self.lisbon_tariff)
        self.assertEqual(spain.callgest_billing_mode, "postpaid")  # the fallback
        self.assertEqual(lisbon.callgest_billing_mode, "prepaid")
        self.assertEqual(spain.callgest_setup_fee_pending, 95.0)
        self.assertEqual(lisbon.callgest_setup_fee_pending, 40.0)
        self.assertEqual(spain.callgest_transfer_cap_seconds, 600)
        self.assertEqual(lisbon.callgest_transfer_cap_seconds, 60)
        # one jsonb column each, keyed by company id
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT callgest_billing_mode, callgest_setup_fee_pending,
                      callgest_tariff_id
                 FROM res_partner WHERE id = %s""",
            [self.clinic.id],
        )
        mode, fee, tariff = self.env.cr.fetchone()
        # the Spanish mode is the fallback (ir.default): not stored
        self.assertEqual(mode, {str(self.lisbon_co.id): "prepaid"})
        self.assertEqual(
            fee, {str(self.spain_co.id): 95.0, str(self.lisbon_co.id): 40.0}
        )
        self.assertEqual(tariff, {str(self.spain_co.id): self.spain_tariff.id})
        # searched in the current company
        Partner = self.env["res.partner"]
        self.assertNotIn(
            self.clinic,
            self.in_spain(Partner).search([("callgest_billing_mode", "=", "prepaid")]),
        )
        self.assertIn(
            self.clinic,
            self.in_lisbon(Partner).search([("callgest_billing_mode", "=", "prepaid")]),
        )

    def test_a_company_tariff_of_another_company_is_refused(self):
        with self.assertRaises(UserError):
            self.in_spain(self.clinic).callgest_tariff_id = self.lisbon_tariff
        self.in_lisbon(self.clinic).callgest_tariff_id = self.lisbon_tariff
        self.assertEqual(
            self.in_spain(self.clinic).callgest_tariff_id, self.spain_tariff
        )

    def test_rating_a_cdr_of_a_lisbon_ddi_uses_lisbon_settings(self):
        """Imported from the Lisbon PBX's Master.csv: Lisbon's tariff, not the
        client's Spanish one; a transfer capped at Lisbon's 60 s."""
        row = ROW.format(
            dst="217000001",
            start="2026-10-05 10:00:00",
            answer="2026-10-05 10:00:10",
            end="2026-10-05 10:01:50",
            duration=110,
            billsec=100,
            key="1791194400.9",
        )
        batch = self.env["callgest.cdr.batch"]._create_from_bytes(
            self.lisbon_pbx, "Master.csv", row.encode()
        )
        batch._process()
        call = self.env["callgest.call"].search([("pbx_id", "=", self.lisbon_pbx.id)])
        self.assertEqual(call.ddi_id, self.lisbon_ddi)
        self.assertEqual(call.company_id, self.lisbon_co)
        secretary = call.usage_ids.filtered(lambda u: u.usage == "secretary_l1")
        self.assertEqual(secretary.tariff_id, self.lisbon_tariff)
        self.assertEqual(secretary.company_id, self.lisbon_co)
        self.assertAlmostEqual(secretary.unit_price, 0.05)
        # the same client's Spanish call: its Spanish tariff
        spanish = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 100)
        self.assertEqual(
            spanish.usage_ids.filtered(lambda u: u.usage == "secretary_l1").tariff_id,
            self.spain_tariff,
        )
        # transfers: 120 s billed within each company's cap
        lisbon_transfer = self.make_lisbon_call(
            self.at(date(2026, 10, 6)), secretary=30, transfer=120
        )
        self.assertEqual(lisbon_transfer.transfer_unbilled_seconds, 60)
        spanish_transfer = self.make_call(
            self.clinic, self.at(date(2026, 10, 6)), 30, transfer=120
        )
        self.assertEqual(spanish_transfer.transfer_unbilled_seconds, 0)

    def test_each_company_invoices_its_month_with_its_settings(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 1000)
        self.make_lisbon_call(self.at(date(2026, 10, 5)), secretary=1000)
        spain, lisbon = self.in_spain(self.clinic), self.in_lisbon(self.clinic)
        self.assertEqual(spain.callgest_usage_pending_since, OCTOBER)
        self.assertEqual(lisbon.callgest_usage_pending_since, OCTOBER)

        spanish = self.env["account.move"].browse(
            self.in_spain(self.Invoicing).run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(spanish.company_id, self.spain_co)
        lines = lines_by_code(spanish)
        self.assertAlmostEqual(lines["CG-SEC1"].price_unit, 0.02)
        self.assertEqual(lines["CG-SEC1"].quantity, 1000)
        self.assertEqual(lines["CG-SETUP"].price_subtotal, 95.0)
        # Spain's fee and cursor are done; Lisbon's wait for Lisbon's run
        self.assertFalse(spain.callgest_setup_fee_pending)
        self.assertEqual(lisbon.callgest_setup_fee_pending, 40.0)
        self.assertFalse(spain.callgest_usage_pending_since)
        self.assertEqual(lisbon.callgest_usage_pending_since, OCTOBER)
        # none of Lisbon's usage on the Spanish invoice
        billed = self.Usage.search([("invoice_id", "=", spanish.id)])
        self.assertTrue(billed)
        self.assertEqual(billed.company_id, self.spain_co)

        portuguese = self.env["account.move"].browse(
            self.in_lisbon(self.Invoicing).run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(portuguese.company_id, self.lisbon_co)
        lines = lines_by_code(portuguese)
        self.assertAlmostEqual(lines["CG-SEC1"].price_unit, 0.05)
        self.assertEqual(lines["CG-SETUP"].price_subtotal, 40.0)
        self.assertFalse(lisbon.callgest_setup_fee_pending)
        self.assertFalse(lisbon.callgest_usage_pending_since)

        # a Lisbon invoice deleted: its usage is Lisbon's to invoice again,
        # the Spanish cursor stays as it is (the link's trigger)
        portuguese.unlink()
        self.env.invalidate_all()
        self.assertEqual(lisbon.callgest_usage_pending_since, OCTOBER)
        self.assertFalse(spain.callgest_usage_pending_since)

    def test_billing_mode_and_prepaid_account_per_company(self):
        """Prepaid with Lisbon (and stopped when its balance is exhausted),
        invoiced monthly by the Spanish company."""
        lisbon, spain = self.in_lisbon(self.clinic), self.in_spain(self.clinic)
        lisbon.write(
            {
                "callgest_billing_mode": "prepaid",
                "callgest_prepaid_exhausted_behaviour": "stop",
            }
        )
        Move = self.env["callgest.prepaid.move"]
        Move.create(
            {
                "partner_id": self.clinic.id,
                "company_id": self.lisbon_co.id,
                "kind": "adjustment",
                "amount": 3.0,
            }
        )
        self.assertEqual(lisbon.callgest_prepaid_balance, 3.0)
        self.assertEqual(spain.callgest_prepaid_balance, 0.0)
        self.assertFalse(spain.callgest_prepaid_stopped)
        # a Lisbon call is paid from Lisbon's balance, a Spanish one invoiced
        lisbon_call = self.make_lisbon_call(
            datetime(2026, 10, 5, 9), secretary=60, robot=5
        )
        self.assertEqual(set(lisbon_call.usage_ids.mapped("state")), {"prepaid"})
        spanish_call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 60)
        self.assertEqual(set(spanish_call.usage_ids.mapped("state")), {"to_invoice"})
        self.assertFalse(
            Move.search([("call_id", "=", spanish_call.id)]),
        )
        self.assertEqual(lisbon.callgest_prepaid_balance, 1.5)
        # the Lisbon DDI stops once Lisbon's balance is used, the Spanish goes on
        self.make_lisbon_call(datetime(2026, 10, 5, 10), secretary=60, robot=5)
        self.assertTrue(lisbon.callgest_prepaid_stopped)
        self.assertFalse(spain.callgest_prepaid_stopped)
        Ddi = self.env["callgest.ddi"]
        self.assertFalse(Ddi.resolve_number(self.lisbon_ddi.number)["serve"])
        self.assertTrue(Ddi.resolve_number(self.clinic_ddi.number)["serve"])
        # Spain's monthly run invoices the client; Lisbon's does not (prepaid)
        self.assertTrue(
            self.in_spain(self.Invoicing).run_period(OCTOBER, [self.clinic.id])
        )
        self.assertFalse(
            self.in_lisbon(self.Invoicing).run_period(OCTOBER, [self.clinic.id])
        )

    def test_a_user_of_one_company_reads_and_writes_its_own_only(self):
        """A supervisor of the Spanish company only neither reads nor writes
        Lisbon's settings of a client both companies serve."""
        clinic = self.clinic.with_user(self.spanish_supervisor)
        self.assertEqual(clinic.callgest_setup_fee_pending, 95.0)
        self.assertEqual(clinic.callgest_tariff_id, self.spain_tariff)
        values = clinic.read(["callgest_setup_fee_pending"])[0]
        self.assertEqual(values["callgest_setup_fee_pending"], 95.0)
        clinic.write({"callgest_setup_fee_pending": 10.0, "callgest_agenda_modules": 2})
        self.assertEqual(self.in_lisbon(self.clinic).callgest_setup_fee_pending, 40.0)
        self.assertFalse(self.in_lisbon(self.clinic).callgest_agenda_modules)
        # Lisbon's values, asked for with Lisbon as the company: refused
        for operation in ("read", "write"):
            with self.subTest(operation=operation), self.assertRaises(AccessError):
                in_lisbon = clinic.with_context(allowed_company_ids=self.lisbon_co.ids)
                if operation == "read":
                    in_lisbon.read(["callgest_setup_fee_pending"])
                else:
                    in_lisbon.write({"callgest_setup_fee_pending": 0.0})
        self.assertEqual(self.in_lisbon(self.clinic).callgest_setup_fee_pending, 40.0)
        # nor can it give the client Lisbon's tariff
        with self.assertRaises(UserError):  # AccessError is one too
            clinic.callgest_tariff_id = self.lisbon_tariff
        # nor invoice Lisbon's month
        with self.assertRaises(AccessError):
            self.Invoicing.with_user(self.spanish_supervisor).with_context(
                allowed_company_ids=self.lisbon_co.ids
            ).run_period(OCTOBER)
