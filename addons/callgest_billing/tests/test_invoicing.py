from datetime import date
from decimal import Decimal

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.callgest_voip.tests.jobs import perform_jobs, trap_jobs

from ..models.callgest_invoicing import INVOICING_LOCK_KEY
from ..tools import rating
from .common import CallgestBillingCommon

OCTOBER = "2026-10"

# A Master.csv row of the default Asterisk layout (17 columns)
ROW = (
    '"","600100200","{dst}","from-pstn","""Caller"" <600100200>","SIP/trunk-1",'
    '"SIP/301-2","Dial","SIP/301,30","{start}","{answer}","{end}",'
    '{duration},{billsec},"ANSWERED","DOCUMENTATION","{key}"'
)


def usage_lines(move):
    return move.invoice_line_ids.filtered(lambda line: line.display_type == "product")


@tagged("post_install", "-at_install")
class TestRatingAtImport(CallgestBillingCommon):
    def test_imported_calls_are_rated_once(self):
        rows = [
            ROW.format(
                dst="931112201",
                start="2026-10-05 10:00:00",
                answer="2026-10-05 10:00:08",
                end="2026-10-05 10:00:53",
                duration=53,
                billsec=45,
                key="1791194400.1",
            ),
            ROW.format(
                dst="931112201",
                start="2026-10-06 11:00:00",
                answer="2026-10-06 11:00:05",
                end="2026-10-06 11:02:05",
                duration=125,
                billsec=120,
                key="1791284400.2",
            ),
            # a negative duration: quarantined at import, never rated
            ROW.format(
                dst="931112201",
                start="2026-10-07 11:00:00",
                answer="2026-10-07 11:00:05",
                end="2026-10-07 11:02:05",
                duration=-5,
                billsec=120,
                key="1791370800.3",
            ),
        ]
        data = "\n".join(rows).encode()
        Batch = self.env["callgest.cdr.batch"]
        batch = Batch._create_from_bytes(self.pbx, "Master.csv", data)
        batch._process()
        self.assertEqual(batch.quarantined, 1)
        calls = self.env["callgest.call"].search([("pbx_id", "=", self.pbx.id)])
        self.assertEqual(len(calls), 2)
        usages = self.Usage.search([("partner_id", "=", self.clinic.id)])
        self.assertEqual(usages.call_id, calls)
        expected = sum(
            (
                rating.total(
                    rating.rate_call(
                        rating.seed_tariff(),
                        secretary_seconds=call.secretary_seconds,
                        robot_seconds=call.robot_seconds,
                    )
                )
                for call in calls
            ),
            Decimal(0),
        )
        self.assertTrue(expected)
        self.assertEqual(Decimal(str(round(sum(usages.mapped("amount")), 6))), expected)
        self.assertEqual(set(usages.mapped("period")), {OCTOBER})
        # the same file again: the calls are duplicates, nothing rated twice
        Batch._create_from_bytes(self.pbx, "Master-again.csv", data)._process()
        self.assertEqual(
            self.Usage.search([("partner_id", "=", self.clinic.id)]), usages
        )

    def test_seed_example_with_a_message(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45, robot=8)
        self.env["callgest.billable.event"].create(
            {
                "partner_id": self.clinic.id,
                "company_id": self.company.id,
                "event_type": "message_auto",
                "channel": "email",
                "date": self.at(date(2026, 10, 5), 11),
            }
        )
        usages = self.Usage.search([("partner_id", "=", self.clinic.id)])
        self.assertEqual(len(usages.filtered("call_id")), 2)
        self.assertEqual(usages.filtered("call_id").call_id, call)
        self.assertAlmostEqual(sum(usages.mapped("amount")), 0.743, places=6)
        self.assertAlmostEqual(call.cost, 0.593, places=6)

    def test_rerating_applies_the_new_price_to_usage_not_invoiced(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 100)
        rate = self.tariff.rate_ids.filtered(lambda r: r.usage == "secretary_l1")
        rate.price = 0.02
        call.usage_ids.action_rerate()
        self.assertAlmostEqual(call.cost, 2.0)
        self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        rate.price = 0.03
        with self.assertRaises(UserError):
            call.usage_ids.action_rerate()
        self.assertAlmostEqual(call.cost, 2.0)

    def test_rerating_a_period_not_invoiced_yet(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 100)
        other = self.make_call(self.collective, self.at(date(2026, 10, 5)), 100)
        self.Invoicing.run_period(OCTOBER, [self.collective.id])
        self.tariff.rate_ids.filtered(
            lambda rate: rate.usage in ("secretary_l1", "secretary_l2")
        ).price = 0.02
        message = self.Invoicing.rerate_period(OCTOBER)
        self.assertIn("already invoiced", message)
        self.assertAlmostEqual(call.cost, 2.0)
        # the invoiced client keeps what its invoice says
        self.assertAlmostEqual(other.cost, 1.4)
        with self.assertRaisesRegex(UserError, "already invoiced"):
            self.Invoicing.rerate_period(OCTOBER, [self.collective.id])


@tagged("post_install", "-at_install")
class TestMonthlyInvoicing(CallgestBillingCommon):
    def test_invoice_matches_the_hand_computation(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45, robot=8)
        self.make_call(self.clinic, self.at(date(2026, 10, 20)), 120, robot=10)
        # November's call waits for November's invoice
        self.make_call(self.clinic, self.at(date(2026, 11, 2)), 30)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(len(move), 1)
        self.assertEqual(move.partner_id, self.clinic)
        self.assertEqual(move.currency_id, self.company.currency_id)
        self.assertEqual(move.invoice_date, date(2026, 10, 31))
        self.assertEqual(move.callgest_period, OCTOBER)
        lines = {line.product_id.default_code: line for line in usage_lines(move)}
        # 18 s of robot x 0.001 = 0.018; 165 s of secretary x 0.013 = 2.145;
        # the DDI 9.00; the minimum of 60 is topped up: 60 - 11.17 = 48.83
        self.assertRecordValues(
            usage_lines(move),
            [
                {"quantity": 18.0, "price_unit": 0.001, "price_subtotal": 0.02},
                {"quantity": 165.0, "price_unit": 0.013, "price_subtotal": 2.15},
                {"quantity": 1.0, "price_unit": 9.0, "price_subtotal": 9.0},
                {"quantity": 1.0, "price_unit": 48.83, "price_subtotal": 48.83},
            ],
        )
        self.assertEqual(lines["CG-MIN"].name[:6], "Top-up")
        self.assertEqual(move.amount_untaxed, 60.0)
        # taxes come from the products, in the invoice's company
        self.assertTrue(lines["CG-SEC1"].tax_ids)
        # every usage of October is linked to the line that bills it
        october = self.Usage.search(
            [("partner_id", "=", self.clinic.id), ("period", "=", OCTOBER)]
        )
        self.assertEqual(set(october.mapped("state")), {"invoiced"})
        for line in usage_lines(move):
            self.assertAlmostEqual(
                sum(line._callgest_usage().mapped("amount")),
                line.quantity * line.price_unit,
                places=6,
            )
        self.assertEqual(october.invoice_line_id, usage_lines(move))
        november = self.Usage.search(
            [("partner_id", "=", self.clinic.id), ("period", "=", "2026-11")]
        )
        self.assertEqual(november.mapped("state"), ["to_invoice"])

    def test_usage_above_the_minimum_has_no_top_up(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 5000)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertNotIn("CG-MIN", usage_lines(move).product_id.mapped("default_code"))
        self.assertEqual(move.amount_untaxed, 74.0)  # 5000 x 0.013 + 9

    def test_a_second_run_creates_nothing_and_says_why(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        first = self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        self.assertEqual(len(first), 1)
        count = self.Usage.search_count([])
        moves, message = self.Invoicing._run_period(OCTOBER, [self.clinic.id])
        self.assertFalse(moves)
        self.assertIn("already invoiced", message)
        self.assertEqual(self.Usage.search_count([]), count)
        self.assertEqual(self.Invoicing.run_period(OCTOBER, [self.clinic.id]), [])

    @freeze_time("2026-12-05")
    def test_late_usage_goes_flagged_on_the_next_invoice(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        late_call = self.make_call(self.clinic, self.at(date(2026, 10, 30)), 100)
        # October again: the client is invoiced for it, the late call waits
        self.assertEqual(self.Invoicing.run_period(OCTOBER, [self.clinic.id]), [])
        self.assertEqual(late_call.usage_ids.state, "to_invoice")
        self.make_call(self.clinic, self.at(date(2026, 11, 3)), 4000)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period("2026-11", [self.clinic.id])
        )
        late_line = late_call.usage_ids.invoice_line_id
        self.assertEqual(late_line.move_id, move)
        self.assertTrue(late_call.usage_ids.late)
        self.assertIn("2026-10", late_line.name)
        self.assertEqual(late_line.price_subtotal, 1.3)
        sections = move.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertIn("earlier months", sections.name)
        # the late usage does not count towards November's minimum
        # (4000 s x 0.013 = 52.00 + 9.00 = 61.00 > 60); it counts toward
        # October's, which was topped up (45 s x 0.013 = 0.585 -> 0.59 + 9.00,
        # top-up 50.41): its 1.30 are absorbed by that top-up
        absorbed = usage_lines(move).filtered(
            lambda line: line.product_id.default_code == "CG-MIN"
        )
        self.assertEqual(absorbed.price_subtotal, -1.3)
        self.assertAlmostEqual(move.amount_untaxed, 61.0)

    def test_ddi_fee_prorated_for_a_partial_month(self):
        self.clinic_ddi.activation_date = date(2026, 10, 17)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        ddi_line = usage_lines(move).filtered(
            lambda line: line.product_id.default_code == "CG-DDI"
        )
        # 15 of 31 days: 9 x 15/31 = 4.354... -> 4.35, rounded once
        self.assertEqual(ddi_line.quantity, 1.0)
        self.assertEqual(ddi_line.price_subtotal, 4.35)
        self.assertIn("15 of 31 days", ddi_line._callgest_usage().name)
        self.assertIn("15 of 31 days", ddi_line.name)
        # the minimum follows the DDI: 60 x 15/31 = 29.032... -> 29.03
        self.assertEqual(move.amount_untaxed, 29.03)

    def test_lines_are_named_in_the_clients_language(self):
        """The invoicing runs in English, the client reads Spanish: its
        invoice lines, and the fees and minimum made for it, are in Spanish."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_billing"], ["es_ES"], overwrite=True
        )
        self.clinic.lang = "es_ES"
        self.clinic_ddi.activation_date = date(2026, 10, 17)
        self.make_call(self.clinic, self.at(date(2026, 10, 20)), 120)
        move = self.env["account.move"].browse(
            self.Invoicing.with_context(lang="en_US").run_period(
                OCTOBER, [self.clinic.id]
            )
        )
        names = {line.product_id.default_code: line.name for line in usage_lines(move)}
        self.assertEqual(names["CG-SEC1"], "Tiempo de secretaria, nivel 1 (Segundo)")
        self.assertIn("(15 de 31 días)", names["CG-DDI"])
        self.assertTrue(
            names["CG-MIN"].startswith("Complemento hasta el mínimo mensual de")
        )
        self.assertEqual(move.invoice_origin, "CallGest 2026-10")

    @freeze_time("2026-12-05")
    def test_setup_fee_and_agenda_on_the_invoice(self):
        self.clinic.write(
            {"callgest_setup_fee_pending": 95.0, "callgest_agenda_modules": 12}
        )
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 5000)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        by_code = {line.product_id.default_code: line for line in usage_lines(move)}
        self.assertEqual(by_code["CG-SETUP"].price_subtotal, 95.0)
        # 12 modules x 9 capped at 90
        self.assertEqual(by_code["CG-AGENDA"].price_subtotal, 90.0)
        self.assertFalse(self.clinic.callgest_setup_fee_pending)
        november = self.env["account.move"].browse(
            self.Invoicing.run_period("2026-11", [self.clinic.id])
        )
        self.assertNotIn(
            "CG-SETUP", usage_lines(november).product_id.mapped("default_code")
        )

    def test_collective_one_invoice_with_a_section_per_professional(self):
        self.make_call(self.collective, self.at(date(2026, 10, 5)), 3000)
        self.make_call(
            self.collective,
            self.at(date(2026, 10, 6)),
            2000,
            ddi=self.lawyer_b_ddi,
        )
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.collective.id])
        )
        self.assertEqual(move.partner_id, self.collective)
        sections = move.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertEqual(sections.mapped("name"), ["Lawyer B"])
        fees = usage_lines(move).filtered(
            lambda line: line.product_id.default_code == "CG-DDI"
        )
        # the first DDI of a collective at 9, the extra one at 6
        self.assertEqual(sorted(fees.mapped("price_subtotal")), [6.0, 9.0])
        # level 2: 5000 s x 0.014 = 70, DDIs 15: topped up to 2 x 60
        self.assertEqual(move.amount_untaxed, 120.0)

    def test_collective_invoiced_per_professional(self):
        self.collective.callgest_invoice_grouping = "professional"
        self.make_call(self.collective, self.at(date(2026, 10, 5)), 3000)
        self.make_call(
            self.collective, self.at(date(2026, 10, 6)), 9000, ddi=self.lawyer_b_ddi
        )
        moves = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.collective.id])
        )
        self.assertEqual(moves.partner_id, self.collective | self.lawyer_b)
        lawyer_move = moves.filtered(lambda move: move.partner_id == self.lawyer_b)
        # 9000 s x 0.014 + the extra DDI 6
        self.assertEqual(lawyer_move.amount_untaxed, 132.0)

    def test_reseller_invoice_with_a_section_per_sub_client(self):
        reseller = self.make_client(
            "Billing Reseller", "8803", callgest_client_type="reseller"
        )
        self.clinic.write(
            {
                "callgest_reseller_id": reseller.id,
                "callgest_invoice_grouping": "reseller",
            }
        )
        other = self.make_client(
            "Second Sub-client",
            "8804",
            callgest_reseller_id=reseller.id,
            callgest_invoice_grouping="reseller",
        )
        self.make_ddi("93 111 22 09", other)
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 5000)
        self.make_call(other, self.at(date(2026, 10, 5)), 6000)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id, other.id])
        )
        self.assertEqual(move.partner_id, reseller)
        sections = move.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertEqual(
            sorted(sections.mapped("name")), ["Billing Clinic", "Second Sub-client"]
        )
        self.assertAlmostEqual(move.amount_untaxed, 161.0)

    def test_client_currency_without_rate_is_refused_before_anything(self):
        peso = self.env.ref("base.CLP")
        peso.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", peso.id)]).unlink()
        self.clinic.callgest_billing_currency_id = peso
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        count = self.Usage.search_count([])
        with self.assertRaisesRegex(UserError, "No exchange rate .* CLP"):
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        self.assertEqual(self.Usage.search_count([]), count)
        self.assertFalse(
            self.env["account.move"].search([("callgest_period", "=", OCTOBER)])
        )

    def test_client_billed_in_its_own_currency(self):
        peso = self.setup_other_currency("CLP", rates=[("2026-01-01", 1000.0)])
        self.clinic.callgest_billing_currency_id = peso
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 5000)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(move.currency_id, peso)
        secretary = usage_lines(move).filtered(
            lambda line: line.product_id.default_code == "CG-SEC1"
        )
        self.assertEqual(secretary.price_unit, 13.0)
        self.assertEqual(move.amount_untaxed, 74000.0)

    def test_bad_periods_are_refused(self):
        for period in ("2026-13", "october", "", "2026-1"):
            with self.assertRaisesRegex(UserError, "YYYY-MM"):
                self.Invoicing.run_period(period)

    @freeze_time("2026-10-31 12:00:00")
    def test_a_month_not_over_is_refused(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        with self.assertRaisesRegex(UserError, "not over yet.*2026-11-01"):
            self.Invoicing.run_period(OCTOBER)
        self.assertEqual(self.Usage.search([]).mapped("state"), ["to_invoice"])

    def test_a_run_in_progress_blocks_another(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        with db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                (INVOICING_LOCK_KEY, self.company.id),
            )
            with self.assertRaisesRegex(UserError, "in progress"):
                self.Invoicing.run_period(OCTOBER, [self.clinic.id])
            other.rollback()
        self.assertFalse(
            self.env["account.move"].search([("callgest_period", "=", OCTOBER)])
        )
        self.assertEqual(len(self.Invoicing.run_period(OCTOBER, [self.clinic.id])), 1)

    def test_deleting_a_draft_invoice_makes_its_usage_invoiceable(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        move.unlink()
        self.assertEqual(call.usage_ids.state, "to_invoice")
        again = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(call.usage_ids.invoice_id, again)
        self.assertEqual(again.amount_untaxed, 60.0)

    def test_posted_when_configured(self):
        self.company.callgest_invoice_auto_post = True
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        self.assertEqual(move.state, "posted")

    def test_wizard_runs_the_same_code_and_explains_a_repeat(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        wizard = self.env["callgest.invoicing.wizard"].create(
            {"period": OCTOBER, "client_ids": [(6, 0, self.clinic.ids)]}
        )
        action = wizard.action_run()
        moves = self.env["account.move"].search(action["domain"])
        self.assertEqual(moves.partner_id, self.clinic)
        again = self.env["callgest.invoicing.wizard"].create(
            {"period": OCTOBER, "client_ids": [(6, 0, self.clinic.ids)]}
        )
        again.action_run()
        self.assertIn("already invoiced", again.result)

    def test_monthly_cron_invoices_the_previous_month(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        cron = self.env.ref("callgest_billing.ir_cron_invoice_previous_month")
        with trap_jobs() as trap, freeze_time("2026-11-01 03:00:00"):
            cron.sudo().method_direct_trigger()
            # the cron queues the job of the company's run; the job invoices
            trap.assert_jobs_count(1)
            self.assertFalse(call.usage_ids.invoice_id)
            perform_jobs(trap)
        self.assertEqual(call.usage_ids.invoice_id.callgest_period, OCTOBER)


@tagged("post_install", "-at_install")
class TestUsageLink(CallgestBillingCommon):
    """Usage is linked to its invoice line through callgest.usage.link: the
    foreign key to the journal item is on the link (indexed), none on the
    millions of usage rows."""

    def test_journal_items_are_referenced_through_an_index_only(self):
        cr = self.env.cr
        cr.execute(
            """SELECT conrelid::regclass::text, a.attname
                 FROM pg_constraint c
                 JOIN pg_attribute a
                   ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                WHERE c.contype = 'f'
                  AND c.confrelid = 'account_move_line'::regclass
                  AND c.conrelid::regclass::text LIKE 'callgest%%'"""
        )
        self.assertEqual(cr.fetchall(), [("callgest_usage_link", "invoice_line_id")])
        cr.execute(
            """SELECT indexdef FROM pg_indexes
                WHERE tablename = 'callgest_usage_link'"""
        )
        self.assertTrue(
            any("(invoice_line_id)" in row[0] for row in cr.fetchall()),
            "the link's key to the journal item has an index",
        )
        cr.execute(
            """SELECT indexdef FROM pg_indexes WHERE tablename = 'callgest_usage'"""
        )
        self.assertFalse(
            [row for row in cr.fetchall() if "invoice_link_id" in row[0]],
            "no index on the usage's link: invoicing updates it in place",
        )

    def test_a_journal_item_deleted_in_sql_releases_its_usage(self):
        call = self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        line = call.usage_ids.invoice_line_id
        self.assertEqual(line.move_id, move)
        self.env.flush_all()
        # whoever deletes the line, its usage goes back to be invoiced
        self.env.cr.execute("DELETE FROM account_move_line WHERE id = %s", [line.id])
        self.env.invalidate_all()
        self.assertEqual(call.usage_ids.state, "to_invoice")
        self.assertFalse(call.usage_ids.invoice_line_id)
        self.assertEqual(self.clinic.callgest_usage_pending_since, OCTOBER)

    def test_every_usage_is_linked_once(self):
        self.make_call(self.clinic, self.at(date(2026, 10, 5)), 45, robot=10)
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.clinic.id])
        )
        links = self.env["callgest.usage.link"].search(
            [("invoice_line_id", "in", move.line_ids.ids)]
        )
        # robot, secretary, DDI and top-up: a link per line, usage on each
        self.assertEqual(len(links), len(usage_lines(move)))
        usages = self.Usage.search([("invoice_id", "=", move.id)])
        self.assertEqual(set(usages.mapped("invoice_link_id")), set(links.ids))
        with self.assertRaises(UserError):
            links[0].write({"partner_id": self.collective.id})
