from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CallgestBillingCommon

OCTOBER = "2026-10"


@tagged("post_install", "-at_install")
class TestMessageOfAProfessional(CallgestBillingCommon):
    """A recado of a collective's professional is billed as his message: a
    collective invoiced per professional charges it to him."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recipient = cls.env["callgest.recipient"].create(
            {
                "partner_id": cls.collective.id,
                "channel": "email",
                "address": "office@lawyers.example.com",
                "mode": "immediate",
            }
        )

    def send(self, ddi, written_by_hand=False):
        """A recado taken on ``ddi``, sent to the collective's recipient on
        7 October."""
        message = (
            self.env["callgest.message"]
            .sudo()
            .create(
                {
                    "ddi_id": ddi.id,
                    "caller_name": "Joan Garcia",
                    "caller_number": "600 123 456",
                    "body": "Please call back",
                    "written_by_hand": written_by_hand,
                    "taken_at": self.at(date(2026, 10, 7)),
                }
            )
        )
        delivery = (
            self.env["callgest.delivery"]
            .sudo()
            .create(
                {
                    "message_id": message.id,
                    "recipient_id": self.recipient.id,
                    "channel": "email",
                    "address": self.recipient.address,
                }
            )
        )
        with freeze_time("2026-10-07 10:00:00"):
            delivery._record_sent("test-provider-id", None)
        usage = self.Usage.search(
            [("billable_event_id", "=", delivery.billable_event_id.id)]
        )
        return message, usage

    def test_the_usage_of_a_recado_carries_its_professional(self):
        message, usage = self.send(self.lawyer_b_ddi, written_by_hand=True)
        self.assertEqual(message.professional_id, self.lawyer_b)
        self.assertEqual(usage.usage, "message_manual")
        self.assertEqual(usage.professional_id, self.lawyer_b)
        # a recado of the collective itself has no professional
        _message, own = self.send(self.collective_ddi)
        self.assertEqual(own.usage, "message_auto")
        self.assertFalse(own.professional_id)

    def test_rated_later_it_carries_it_too(self):
        _message, usage = self.send(self.lawyer_b_ddi)
        event = usage.billable_event_id
        usage.sudo().unlink()
        self.Usage._rate_events(event)
        usage = self.Usage.search([("billable_event_id", "=", event.id)])
        self.assertEqual(usage.professional_id, self.lawyer_b)

    def test_a_professional_invoiced_per_professional_pays_his_recados(self):
        self.collective.callgest_invoice_grouping = "professional"
        self.make_call(
            self.collective, self.at(date(2026, 10, 6)), 9000, ddi=self.lawyer_b_ddi
        )
        self.send(self.lawyer_b_ddi, written_by_hand=True)
        moves = self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.collective.id])
        )
        lawyer_move = moves.filtered(lambda move: move.partner_id == self.lawyer_b)
        # 9000 s x 0.014 = 126 + the extra DDI 6 + his manual recado 0.30
        self.assertAlmostEqual(lawyer_move.amount_untaxed, 132.30)
        self.assertIn(
            "message_manual",
            lawyer_move.invoice_line_ids._callgest_usage().mapped("usage"),
        )
