"""A call's transfer leg that arrives after the call was invoiced (issue 11,
point 5): the call is rated again and only the difference is billed, as late
usage on the next invoice."""

from datetime import date
from decimal import Decimal

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CallgestBillingCommon

# Master.csv rows with linkedid (21 columns, Asterisk's cdr_csv with
# loguniqueid, loguserfield and newcdrcolumns), Madrid time (CEST)
CALL = (
    '"","600100200","931112201","from-pstn","""Caller"" <600100200>",'
    '"SIP/trunk-00000001","SIP/301-00000002","Dial","SIP/301,30",'
    '"2026-10-05 10:00:00","2026-10-05 10:00:00","2026-10-05 11:23:20",'
    '5000,5000,"ANSWERED","DOCUMENTATION","1791194400.1","","",'
    '"1791194400.1",1'
)
# the secretary puts the caller through to the client's office (a fixed
# number in Barcelona) for 240 s; Asterisk writes it when the transfer ends
TRANSFER = (
    '"","301","934555666","from-internal","""Recepcion"" <301>",'
    '"SIP/301-00000002","SIP/trunk-00000003","Dial","SIP/trunk/934555666",'
    '"2026-10-05 11:23:00","2026-10-05 11:23:00","2026-10-05 11:27:00",'
    '240,240,"ANSWERED","DOCUMENTATION","1791199380.3","","",'
    '"1791194400.1",3'
)


@tagged("post_install", "-at_install")
class TestLateTransferLeg(CallgestBillingCommon):
    def push(self, row, first_line, pbx=None):
        batch = self.env["callgest.cdr.batch"]._create_from_bytes(
            pbx or self.pbx,
            "Master.csv",
            row.encode(),
            origin="rpc",
            first_line=first_line,
        )
        batch._process()
        return batch

    def invoice(self, period):
        return self.env["account.move"].browse(
            self.Invoicing.run_period(period, [self.clinic.id])
        )

    @freeze_time("2026-12-05")
    def test_transfer_leg_after_the_invoice_is_billed_once_as_late_usage(self):
        self.push(CALL, 1)
        call = self.env["callgest.call"].search(
            [("pbx_id", "=", self.pbx.id), ("call_key", "=", "1791194400.1")]
        )
        self.assertEqual((call.secretary_seconds, call.transfer_seconds), (5000, 0))
        october = self.invoice("2026-10")
        # 5000 s x 0.013 EUR/s = 65.00 + the DDI's 9.00 = 74.00 (above the
        # 60.00 minimum: no top-up)
        self.assertEqual(october.amount_untaxed, 74.0)

        late = self.push(TRANSFER, 3)
        self.assertEqual((late.calls_updated, late.quarantined), (1, 0))
        self.assertFalse(late.quarantine_ids)
        call.invalidate_recordset()
        self.assertEqual(call.transfer_seconds, 240)
        # rated again: the secretary time is invoiced already, only the
        # transfer is new: 240 s x 0.002 EUR/s = 0.48
        to_invoice = call.usage_ids.filtered(lambda u: u.state == "to_invoice")
        self.assertEqual(to_invoice.mapped("usage"), ["transfer_fixed"])
        self.assertEqual(Decimal(str(to_invoice.amount)), Decimal("0.48"))
        self.assertEqual(to_invoice.seconds, 240)
        # October is invoiced: the run of October bills nothing again
        self.assertFalse(self.Invoicing.run_period("2026-10", [self.clinic.id]))

        self.make_call(self.clinic, self.at(date(2026, 11, 3)), 4000)
        november = self.invoice("2026-11")
        late_line = to_invoice.invoice_line_id
        self.assertEqual(late_line.move_id, november)
        self.assertIn("2026-10, late", late_line.name)
        self.assertEqual(late_line.price_subtotal, 0.48)
        self.assertTrue(to_invoice.late)
        # November: 4000 s x 0.013 = 52.00 + DDI 9.00 = 61.00 (above the
        # minimum), + October's late transfer 0.48 = 61.48; October was not
        # topped up, so nothing absorbs the 0.48
        self.assertNotIn(
            "CG-MIN", november.invoice_line_ids.product_id.mapped("default_code")
        )
        self.assertAlmostEqual(november.amount_untaxed, 61.48)

        # the leg pushed again (the bridge restarted): nothing billed twice
        again = self.push(TRANSFER, 3)
        self.assertEqual((again.duplicates, again.calls_updated), (1, 0))
        # 65.00 secretary + 0.48 transfer, each invoiced once
        self.assertAlmostEqual(sum(call.usage_ids.mapped("amount")), 65.48)
        self.assertFalse(call.usage_ids.filtered(lambda u: u.state == "to_invoice"))
        self.assertEqual(
            sorted(call.usage_ids.invoice_line_id.move_id.ids),
            sorted((october | november).ids),
        )

    def test_same_usage_in_one_push_or_in_parts(self):
        """The call and its transfer leg in one push, or the leg first (it
        waits in quarantine) and the call later: the same usage."""

        def usage_of(pbx):
            self.env.flush_all()
            calls = self.env["callgest.call"].search([("pbx_id", "=", pbx.id)])
            return sorted(
                (u.usage, u.seconds, Decimal(str(u.amount)), u.state)
                for u in calls.usage_ids
            )

        one = self.pbx.copy({"code": "billing-one-push"})
        self.push(f"{CALL}\n{TRANSFER}", 1, pbx=one)
        # 5000 s x 0.013 = 65.00; 240 s x 0.002 = 0.48
        expected = [
            ("secretary_l1", 5000, Decimal("65.0"), "to_invoice"),
            ("transfer_fixed", 240, Decimal("0.48"), "to_invoice"),
        ]
        self.assertEqual(usage_of(one), expected)
        leg = self.push(TRANSFER, 2)
        self.assertEqual(leg.quarantined, 1)
        self.push(CALL, 1)
        self.assertEqual(leg.quarantine_ids.state, "reprocessed")
        self.assertEqual(usage_of(self.pbx), expected)
