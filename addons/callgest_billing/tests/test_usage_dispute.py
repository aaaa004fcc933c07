from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CallgestBillingCommon

OCTOBER = "2026-10"
NOVEMBER = "2026-11"
DECEMBER = "2026-12"


@tagged("post_install", "-at_install")
class TestUsageDispute(CallgestBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.callgest_invoice_auto_post = True
        cls.disputed_call = cls.make_call(
            cls.clinic, cls.at(date(2026, 10, 5)), secretary=125, robot=8
        )
        cls.other_call = cls.make_call(
            cls.clinic, cls.at(date(2026, 10, 6)), secretary=45, robot=8
        )

    def invoice(self, period):
        moves = self.env["account.move"].browse(
            self.Invoicing.run_period(period, [self.clinic.id])
        )
        self.assertEqual(len(moves), 1)
        return moves

    def dispute(self, invoice, usage, resolution, reason=None):
        wizard = self.env["callgest.usage.dispute.wizard"].create(
            {
                "invoice_id": invoice.id,
                "usage_ids": [(6, 0, usage.ids)],
                "resolution": resolution,
                "reason": reason,
            }
        )
        action = wizard.action_credit()
        return self.env["account.move"].browse(action["res_id"])

    def usage_of(self, call):
        return self.Usage.search([("call_id", "=", call.id)])

    def exact_amount(self, usage):
        """The amount of ``usage`` as credit note lines bill it: the exact
        amounts of a product summed, rounded once per line."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT SUM(amount)::text FROM callgest_usage WHERE id IN %s "
            "GROUP BY product_id",
            (tuple(usage.ids),),
        )
        return sum(
            (
                Decimal(row[0]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                for row in self.env.cr.fetchall()
            ),
            Decimal(0),
        )

    @freeze_time("2027-01-05")
    def test_invoice_again_credits_and_bills_late_once(self):
        october = self.invoice(OCTOBER)
        self.assertEqual(october.state, "posted")
        disputed = self.usage_of(self.disputed_call)
        self.assertTrue(disputed)
        self.assertEqual(set(disputed.mapped("invoice_id")), {october})
        credit_note = self.dispute(october, disputed, "invoice_again")
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.reversed_entry_id, october)
        self.assertEqual(
            Decimal(str(credit_note.amount_untaxed)), self.exact_amount(disputed)
        )
        october_products = october.invoice_line_ids.product_id
        self.assertLessEqual(credit_note.invoice_line_ids.product_id, october_products)
        for line in credit_note.invoice_line_ids:
            source = october.invoice_line_ids.filtered(
                lambda source_line, line=line: source_line.product_id == line.product_id
            )
            self.assertEqual(line.price_unit, source.price_unit)
            self.assertEqual(line.tax_ids, source.tax_ids)
        self.assertEqual(set(disputed.mapped("state")), {"to_invoice"})
        self.assertFalse(disputed.invoice_id)
        self.assertIn("Disputed usage credited", october.message_ids[0].body)
        # the same usage cannot be credited again from the invoice
        with self.assertRaisesRegex(UserError, "credited once"):
            self.dispute(october, disputed, "invoice_again")

        november = self.invoice(NOVEMBER)
        self.assertEqual(set(disputed.mapped("state")), {"invoiced"})
        self.assertEqual(disputed.invoice_id, november)
        self.assertTrue(all(disputed.mapped("late")))
        late_lines = november.invoice_line_ids.filtered(
            lambda line: f"{OCTOBER}, late" in (line.name or "")
        )
        self.assertEqual(late_lines, disputed.invoice_line_id)
        self.assertEqual(
            Decimal(str(sum(late_lines.mapped("price_subtotal")))),
            self.exact_amount(disputed),
        )
        # billed once: not again in the month after
        december = self.env["account.move"].browse(
            self.Invoicing.run_period(DECEMBER, [self.clinic.id])
        )
        self.assertFalse(
            december.invoice_line_ids.filtered(lambda line: "late" in (line.name or ""))
        )
        self.assertEqual(disputed.invoice_id, november)

    @freeze_time("2026-12-05")
    def test_write_off_is_never_invoiced_again(self):
        october = self.invoice(OCTOBER)
        disputed = self.usage_of(self.disputed_call)
        with self.assertRaisesRegex(UserError, "written off"):
            self.dispute(october, disputed, "write_off")
        credit_note = self.dispute(
            october, disputed, "write_off", reason="Test call from our technician"
        )
        self.assertEqual(
            Decimal(str(credit_note.amount_untaxed)), self.exact_amount(disputed)
        )
        self.assertEqual(set(disputed.mapped("state")), {"written_off"})
        self.assertEqual(
            set(disputed.mapped("write_off_reason")), {"Test call from our technician"}
        )
        with self.assertRaisesRegex(UserError, "credited once"):
            self.dispute(october, disputed, "invoice_again")
        november = self.invoice(NOVEMBER)
        self.assertFalse(disputed.invoice_line_id & november.invoice_line_ids)
        self.assertFalse(
            november.invoice_line_ids.filtered(lambda line: "late" in (line.name or ""))
        )
        self.assertEqual(set(disputed.mapped("state")), {"written_off"})

    def test_part_of_a_line_is_credited_at_its_price(self):
        october = self.invoice(OCTOBER)
        # one of the two calls: the quantity of its usage only
        disputed = self.usage_of(self.other_call)
        kept = self.usage_of(self.disputed_call)
        shared_lines = disputed.invoice_line_id & kept.invoice_line_id
        self.assertTrue(shared_lines)
        credit_note = self.dispute(october, disputed, "invoice_again")
        for line in shared_lines:
            credited = credit_note.invoice_line_ids.filtered(
                lambda credit, line=line: credit.product_id == line.product_id
            )
            picked = disputed.filtered(
                lambda usage, line=line: usage.product_id == line.product_id
            )
            self.assertAlmostEqual(credited.quantity, sum(picked.mapped("quantity")))
            self.assertEqual(credited.price_unit, line.price_unit)
        self.assertEqual(
            Decimal(str(credit_note.amount_untaxed)), self.exact_amount(disputed)
        )
        self.assertEqual(set(kept.mapped("state")), {"invoiced"})

    def test_only_posted_invoice_usage(self):
        self.company.callgest_invoice_auto_post = False
        draft = self.invoice(OCTOBER)
        with self.assertRaisesRegex(UserError, "posted customer invoice"):
            self.dispute(draft, self.usage_of(self.disputed_call), "invoice_again")

    def test_deleting_a_draft_invoice_releases_its_usage(self):
        self.company.callgest_invoice_auto_post = False
        draft = self.invoice(OCTOBER)
        # the top-up to the minimum is made again from what the month holds
        usage = self.Usage.search(
            [("invoice_id", "=", draft.id), ("usage", "!=", "minimum")]
        )
        self.assertTrue(usage.call_id >= self.disputed_call + self.other_call)
        draft.unlink()
        self.assertEqual(set(usage.mapped("state")), {"to_invoice"})
        self.assertFalse(usage.invoice_line_id)
        again = self.invoice(OCTOBER)
        self.assertEqual(usage.invoice_id, again)
        self.assertEqual(set(usage.mapped("state")), {"invoiced"})

    def test_cancelling_a_draft_invoice_releases_its_usage(self):
        self.company.callgest_invoice_auto_post = False
        draft = self.invoice(OCTOBER)
        usage = self.Usage.search(
            [("invoice_id", "=", draft.id), ("usage", "!=", "minimum")]
        )
        draft.button_cancel()
        self.assertEqual(draft.state, "cancel")
        self.assertEqual(set(usage.mapped("state")), {"to_invoice"})
        self.assertFalse(usage.invoice_id)
        again = self.invoice(OCTOBER)
        self.assertEqual(usage.invoice_id, again)
