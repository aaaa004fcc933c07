from datetime import timedelta
from decimal import Decimal

from odoo.tests import tagged

from .common import OCTOBER, FranchiseBillingCommon

SECOND = timedelta(seconds=1)


def product_lines(move):
    return move.invoice_line_ids.filtered(lambda line: line.display_type == "product")


@tagged("post_install", "-at_install")
class TestFranchiseCharging(FranchiseBillingCommon):
    """Each call of the network charged to the franchisee it was routed to,
    checked by hand against the seed tariff: secretary level 1 0.013 €/s,
    robot 0.001 €/s, transfer to a fixed number 0.002 €/s, a recado written
    by hand 0.30 €, the network's DDI 9 € a month, a minimum of 60 € per
    DDI."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Barcelona: 2 calls (10 s robot + 120 s secretary; 10 s + 200 s),
        # the second with a recado written by hand; routed as the secretary
        # typed the number
        cls.routing_a1 = cls.route(
            cls.barcelona, "600 00 00 01", cls.october(5) + 30 * SECOND
        )
        cls.call_a1 = cls.network_call("+34600000001", cls.october(5), 120, robot=10)
        cls.routing_a2 = cls.route(
            cls.barcelona, "+34 600 000 002", cls.october(6) + 40 * SECOND
        )
        cls.call_a2 = cls.network_call("+34600000002", cls.october(6), 200, robot=10)
        cls.send_recado(cls.routing_a2)
        # Madrid: 10 s robot + 300 s secretary + 60 s transferred to its shop
        cls.routing_b1 = cls.route(
            cls.madrid, "0034600000003", cls.october(7) + 60 * SECOND
        )
        cls.call_b1 = cls.network_call(
            "+34600000003",
            cls.october(7),
            300,
            robot=10,
            transfer=60,
            transfer_to="+34914001122",
        )
        # the network: an unknown postal code (10 s + 100 s), and a caller
        # who hung up on the robot after 20 s, never routed
        cls.routing_n1 = cls.route(
            cls.env["res.partner"], "600000004", cls.october(8) + 50 * SECOND
        )
        cls.call_n1 = cls.network_call("+34600000004", cls.october(8), 100, robot=10)
        cls.call_n2 = cls.network_call("+34600000005", cls.october(9), robot=20)

    def usage_of(self, calls):
        return self.Usage.search([("call_id", "in", calls.ids)])

    def test_calls_carry_their_franchisee(self):
        self.assertEqual(self.routing_a1.caller_e164, "+34600000001")
        self.assertEqual(self.routing_b1.caller_e164, "+34600000003")
        self.assertEqual(self.routing_a1.call_id, self.call_a1)
        self.assertEqual(self.routing_n1.call_id, self.call_n1)
        self.assertEqual((self.call_a1 | self.call_a2).professional_id, self.barcelona)
        self.assertEqual(self.call_b1.professional_id, self.madrid)
        self.assertFalse((self.call_n1 | self.call_n2).professional_id)
        self.assertEqual(
            self.usage_of(self.call_a1 | self.call_a2).professional_id,
            self.barcelona,
        )
        recado = self.Usage.search(
            [("billable_event_id", "!=", False), ("partner_id", "=", self.network.id)]
        )
        self.assertEqual(recado.usage, "message_manual")
        self.assertEqual(recado.professional_id, self.barcelona)

    def test_one_invoice_per_franchisee_and_the_network(self):
        moves = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.network.id])
        )
        self.assertEqual(moves.partner_id, self.network | self.barcelona | self.madrid)
        by_partner = {move.partner_id: move for move in moves}
        # Barcelona: robot (10 + 10) s x 0.001 = 0.02
        #          + secretary (120 + 200) s x 0.013 = 4.16
        #          + 1 recado by hand x 0.30 = 0.30          -> 4.48
        self.assertEqual(by_partner[self.barcelona].amount_untaxed, 4.48)
        # Madrid: robot 10 s x 0.001 = 0.01
        #       + secretary 300 s x 0.013 = 3.90
        #       + transfer to a fixed number 60 s x 0.002 = 0.12 -> 4.03
        self.assertEqual(by_partner[self.madrid].amount_untaxed, 4.03)
        # the network: robot (10 + 20) s x 0.001 = 0.03
        #            + secretary 100 s x 0.013 = 1.30
        #            + its DDI 9.00                         -> 10.33
        # the month's minimum, on the collective's own invoice (the rule of
        # callgest_billing: one DDI, 60.00, against all of the network's
        # usage): 60.00 - (4.48 + 4.03 + 10.33 = 18.84) = 41.16 top-up
        # -> 10.33 + 41.16 = 51.49
        network_move = by_partner[self.network]
        self.assertEqual(network_move.amount_untaxed, 51.49)
        minimum = product_lines(network_move).filtered(
            lambda line: line.product_id.default_code == "CG-MIN"
        )
        self.assertEqual(minimum.price_subtotal, 41.16)
        # the DDI and the minimum are on no franchisee's invoice
        for franchisee in self.barcelona | self.madrid:
            self.assertNotIn(
                "CG-DDI",
                product_lines(by_partner[franchisee]).product_id.mapped("default_code"),
            )
        # together, the month's minimum: 4.48 + 4.03 + 51.49 = 60.00
        self.assertAlmostEqual(sum(moves.mapped("amount_untaxed")), 60.0)
        # every usage billed once
        usage = self.Usage.search([("partner_id", "=", self.network.id)])
        self.assertEqual(set(usage.mapped("state")), {"invoiced"})
        self.assertEqual(len(usage.invoice_line_id), len(product_lines(moves)))
        self.assertFalse(self.Invoicing.run_period(OCTOBER, [self.network.id]))

    def test_one_invoice_with_a_section_per_franchisee(self):
        self.network.callgest_invoice_grouping = "client"
        move = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.network.id])
        )
        self.assertEqual(move.partner_id, self.network)
        sections = move.invoice_line_ids.filtered(
            lambda line: line.display_type == "line_section"
        )
        self.assertEqual(sections.mapped("name"), ["Repair Barcelona", "Repair Madrid"])
        lines = move.invoice_line_ids.sorted("sequence")
        # the lines after each section, up to the next one
        amounts, current = {}, ""
        for line in lines:
            if line.display_type == "line_section":
                current = line.name
            elif line.display_type == "product":
                amounts[current] = round(
                    amounts.get(current, 0) + line.price_subtotal, 2
                )
        # the same figures as the invoices per franchisee
        self.assertEqual(
            amounts, {"": 51.49, "Repair Barcelona": 4.48, "Repair Madrid": 4.03}
        )
        self.assertEqual(move.amount_untaxed, 60.0)

    def test_a_routing_after_the_call_was_rated_moves_its_usage(self):
        call = self.network_call("+34600000006", self.october(12), 150, robot=12)
        self.assertFalse(call.professional_id)
        before = self.usage_of(call)
        self.assertFalse(before.professional_id)
        # the secretary's routing arrives after the CDR: 4 minutes after the
        # call's end, within the margin; typed in the national form
        routing = self.route(
            self.madrid, "600 000 006", call.end_time + timedelta(minutes=4)
        )
        self.assertEqual(routing.call_id, call)
        self.assertEqual(call.professional_id, self.madrid)
        after = self.usage_of(call)
        self.assertEqual(after.professional_id, self.madrid)
        self.assertEqual(set(after.mapped("state")), {"to_invoice"})
        # the same rating, moved: robot 12 s x 0.001 + 150 s x 0.013 = 1.962
        self.assertEqual(
            sum(Decimal(str(amount)) for amount in after.mapped("amount")),
            Decimal("1.962"),
        )
        self.assertEqual(len(after), 2)
        self.assertFalse(before.exists() - after)

    def test_out_of_the_window_or_another_caller_stays_with_the_network(self):
        call = self.network_call("+34600000007", self.october(13), 60, robot=5)
        # 6 minutes after the end: another call's routing
        late = self.route(
            self.barcelona, "600000007", call.end_time + timedelta(minutes=6)
        )
        other = self.route(self.barcelona, "600000008", call.start_time + 10 * SECOND)
        self.assertFalse(late.call_id or other.call_id)
        self.assertFalse(call.professional_id)

    def test_the_latest_routing_during_the_call_wins(self):
        start = self.october(14)
        self.route(self.barcelona, "600000009", start + 20 * SECOND)
        second = self.route(self.madrid, "600000009", start + 50 * SECOND)
        call = self.network_call("+34600000009", start, 90, robot=10)
        self.assertEqual(call.professional_id, self.madrid)
        self.assertEqual(second.call_id, call)

    def test_a_routing_after_the_invoice_bills_nothing_twice(self):
        call = self.network_call("+34600000010", self.october(15), 200, robot=10)
        moves = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.network.id])
        )
        invoiced = sum(moves.mapped("amount_untaxed"))
        self.route(self.barcelona, "600000010", call.start_time + 30 * SECOND)
        self.assertEqual(call.professional_id, self.barcelona)
        usage = self.usage_of(call)
        # invoiced to the network already: the rating is the same, no late
        # usage to add, nothing to invoice again
        self.assertEqual(set(usage.mapped("state")), {"invoiced"})
        self.assertFalse(usage.filtered("late"))
        self.assertEqual(sum(moves.mapped("amount_untaxed")), invoiced)

    def test_the_usage_pivot_of_the_network(self):
        action = self.network.action_callgest_franchise_usage()
        self.assertEqual(action["res_model"], "callgest.usage")
        self.assertEqual(action["domain"], [("partner_id", "=", self.network.id)])
        groups = self.Usage._read_group(
            action["domain"], ["professional_id"], ["amount:sum"]
        )
        amounts = {professional: round(amount, 3) for professional, amount in groups}
        # before invoicing: 4.48, 4.03, and the network's 1.33 (no fees yet)
        self.assertEqual(
            amounts,
            {
                self.barcelona: 4.48,
                self.madrid: 4.03,
                self.env["res.partner"]: 1.33,
            },
        )
