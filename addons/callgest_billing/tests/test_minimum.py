"""The monthly minimum and prorated fees across invoices (seed 000_…,
"Nuestros Costes": 9 €/month per DDI, minimum 60 €/month per DDI)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..tools import rating
from .common import CallgestBillingCommon

JUNE, JULY, AUGUST = "2026-06", "2026-07", "2026-08"
MONTH_DAYS = {JUNE: 30, JULY: 31, AUGUST: 31}
MONTHS = tuple(MONTH_DAYS)


def first_day(period):
    year, month = map(int, period.split("-"))
    return date(year, month, 1)


def product_lines(move):
    return move.invoice_line_ids.filtered(lambda line: line.display_type == "product")


def by_code(move, code):
    return product_lines(move).filtered(
        lambda line: line.product_id.default_code == code
    )


@tagged("post_install", "-at_install")
class TestMinimumAcrossInvoices(CallgestBillingCommon):
    def invoice(self, period, client=None):
        client = client or self.clinic
        return self.env["account.move"].browse(
            self.Invoicing.run_period(period, [client.id])
        )

    def test_prorated_ddi_fee_and_minimum_are_rounded_once(self):
        self.clinic_ddi.activation_date = date(2026, 7, 16)
        move = self.invoice(JULY)
        ddi_line = by_code(move, "CG-DDI")
        # 16 days of July: 9 x 16/31 = 4.6451... -> 4.65 (not 0.52 x 9 = 4.68)
        self.assertEqual(ddi_line.price_subtotal, 4.65)
        self.assertIn("16 of 31 days", ddi_line.name)
        # the minimum of 16/31 of a month: 60 x 16/31 = 30.967... -> 30.97;
        # top-up 30.97 - 4.65 = 26.32
        self.assertEqual(by_code(move, "CG-MIN").price_subtotal, 26.32)
        self.assertEqual(move.amount_untaxed, 30.97)

    def test_late_usage_is_absorbed_by_the_months_top_up(self):
        self.make_call(self.clinic, self.at(date(2026, 6, 5)), 100)
        june = self.invoice(JUNE)
        # 100 s x 0.013 = 1.30 + DDI 9.00 = 10.30; top-up 60 - 10.30 = 49.70
        self.assertEqual(by_code(june, "CG-MIN").price_subtotal, 49.70)
        late = self.make_call(self.clinic, self.at(date(2026, 6, 29)), 1000)
        self.make_call(self.clinic, self.at(date(2026, 7, 3)), 5000)
        july = self.invoice(JULY)
        late_line = late.usage_ids.invoice_line_id
        self.assertEqual(late_line.move_id, july)
        # the late June call: 1000 s x 0.013 = 13.00, absorbed by June's
        # top-up of 49.70 (June: 1.30 + 13.00 + 9.00 = 23.30 < 60)
        self.assertEqual(late_line.price_subtotal, 13.0)
        absorbed = by_code(july, "CG-MIN")
        self.assertEqual(absorbed.mapped("price_subtotal"), [-13.0])
        self.assertIn("absorbed", absorbed.name)
        self.assertIn(JUNE, absorbed.name)
        # July: 5000 s x 0.013 = 65.00 + DDI 9.00 = 74.00 (over its minimum),
        # June's late usage adds 13.00 - 13.00 = 0
        self.assertEqual(july.amount_untaxed, 74.0)
        # June in all: 60 = max(60, 23.30)
        self.assertEqual(june.amount_untaxed + 13.0 - 13.0, 60.0)

    def test_late_usage_beyond_the_top_up_bills_only_the_excess(self):
        self.make_call(self.clinic, self.at(date(2026, 6, 5)), 3000)
        june = self.invoice(JUNE)
        # 3000 s x 0.013 = 39.00 + 9.00 = 48.00; top-up 12.00
        self.assertEqual(june.amount_untaxed, 60.0)
        self.make_call(self.clinic, self.at(date(2026, 6, 30)), 2000)
        july = self.invoice(JULY)
        # late June usage 2000 s x 0.013 = 26.00: 12.00 of it absorbed by the
        # top-up, 14.00 billed; June = 48.00 + 26.00 = 74.00 = 60 + 14.00
        # July's own top-up: no July usage, 60 - 9.00 = 51.00
        self.assertEqual(
            sorted(by_code(july, "CG-MIN").mapped("price_subtotal")), [-12.0, 51.0]
        )
        # July: 9.00 + 51.00 + late 26.00 - 12.00 = 74.00
        self.assertEqual(july.amount_untaxed, 74.0)

    def test_a_month_invoiced_after_the_next_counts_what_the_next_billed(self):
        self.make_call(self.clinic, self.at(date(2026, 6, 10)), 2000)
        self.make_call(self.clinic, self.at(date(2026, 7, 10)), 1000)
        # July invoiced first: June's call goes on it, as usage of an earlier
        # month (June has no minimum yet: its fees were never invoiced)
        july = self.invoice(JULY)
        # July: 1000 s x 0.013 = 13.00 + 9.00 = 22.00, top-up 38.00;
        # June's 2000 s x 0.013 = 26.00, late: 60.00 + 26.00 = 86.00
        self.assertEqual(july.amount_untaxed, 86.0)
        june = self.invoice(JUNE)
        # June: its DDI 9.00 and its usage billed on July's invoice (26.00)
        # count toward its minimum: top-up 60 - 35.00 = 25.00
        self.assertEqual(by_code(june, "CG-DDI").price_subtotal, 9.0)
        self.assertEqual(by_code(june, "CG-MIN").price_subtotal, 25.0)
        self.assertEqual(june.amount_untaxed, 34.0)  # 26 + 9 + 25 = 60 in all

    def test_a_cancelled_invoice_gives_its_top_up_back(self):
        self.make_call(self.clinic, self.at(date(2026, 6, 5)), 100)
        june = self.invoice(JUNE)
        june.button_cancel()
        self.make_call(self.clinic, self.at(date(2026, 6, 6)), 1000)
        again = self.invoice(JUNE)
        # (100 + 1000) s x 0.013 = 14.30 + 9.00 = 23.30; top-up 36.70
        self.assertEqual(by_code(again, "CG-MIN").price_subtotal, 36.70)
        self.assertEqual(again.amount_untaxed, 60.0)

    def test_setup_fee_is_outside_the_minimum(self):
        self.clinic.sudo().callgest_setup_fee_pending = 95.0
        move = self.invoice(JUNE)
        # 9.00 + top-up 51.00 = 60.00 + the setup fee 95.00 = 155.00
        self.assertEqual(by_code(move, "CG-MIN").price_subtotal, 51.0)
        self.assertEqual(move.amount_untaxed, 155.0)


@tagged("post_install", "-at_install")
class TestMinimumProperty(CallgestBillingCommon):
    """Whatever the order in which a month's calls arrive and months are
    invoiced, every month is billed max(minimum, usage) + the setup fee."""

    def month_totals(self, client):
        """``{period: {"billed", "counted", "excluded"}}`` read from the
        invoice lines (each line bills usage of one month)."""
        totals = defaultdict(lambda: defaultdict(Decimal))
        usages = self.Usage.search(
            [("partner_id", "=", client.id), ("state", "=", "invoiced")]
        )
        lines = usages.invoice_line_id
        for line in lines:
            line_usage = line._callgest_usage()
            (period,) = set(line_usage.mapped("period"))
            subtotal = Decimal(str(line.price_subtotal))
            kind = set(line_usage.mapped("usage"))
            totals[period]["billed"] += subtotal
            if kind == {rating.SETUP_FEE}:
                totals[period]["excluded"] += subtotal
            elif kind != {rating.MINIMUM}:
                totals[period]["counted"] += subtotal
        return totals

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        activation_day=st.integers(min_value=1, max_value=30),
        setup_fee=st.sampled_from([0, 95]),
        steps=st.lists(
            st.one_of(
                st.tuples(
                    st.just("call"),
                    st.sampled_from(MONTHS),
                    st.integers(min_value=0, max_value=29),
                    st.integers(min_value=1, max_value=6000),
                ),
                st.tuples(st.just("invoice"), st.sampled_from(MONTHS)),
            ),
            max_size=8,
        ),
    )
    def test_every_month_costs_max_of_minimum_and_usage(
        self, activation_day, setup_fee, steps
    ):
        savepoint = self.env.cr.savepoint()
        try:
            self.check_sequence(activation_day, setup_fee, steps)
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def check_sequence(self, activation_day, setup_fee, steps):
        client = self.make_client("Property Clinic", f"77{self.call_count:04d}")
        ddi = self.make_ddi(
            f"93 777 {self.call_count % 100:02d} 01",
            client,
            since=date(2026, 6, activation_day),
        )
        client.sudo().callgest_setup_fee_pending = setup_fee
        for step in steps:
            if step[0] == "call":
                _kind, period, day, seconds = step
                start = first_day(period) + timedelta(
                    days=min(day, MONTH_DAYS[period] - 1)
                )
                self.make_call(client, self.at(start), seconds, ddi=ddi)
            else:
                self.Invoicing.run_period(step[1], [client.id])
        # every month invoiced, then a later month takes what is left
        for period in (*MONTHS, "2026-09"):
            self.Invoicing.run_period(period, [client.id])
        self.assertFalse(
            self.Usage.search(
                [("partner_id", "=", client.id), ("state", "=", "to_invoice")]
            )
        )
        totals = self.month_totals(client)
        self.assertEqual(sum(total["excluded"] for total in totals.values()), setup_fee)
        for period, days in (*MONTH_DAYS.items(), ("2026-09", 30)):
            in_service = days - (activation_day - 1 if period == JUNE else 0)
            # 60 € per DDI month, prorated to the days in service, rounded once
            minimum = rating.round_money(Decimal(60) * in_service / days)
            total = totals[period]
            self.assertEqual(
                total["billed"],
                max(minimum, total["counted"]) + total["excluded"],
                f"{period}: {dict(total)}",
            )
