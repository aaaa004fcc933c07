from odoo import fields
from odoo.tests import tagged

from .common import CallgestBillingCommon


@tagged("post_install", "-at_install")
class TestPendingFees(CallgestBillingCommon):
    """The one-off fees to invoice are billing's, whoever records them."""

    def test_fees_add_up_until_cleared(self):
        client = self.clinic
        self.assertEqual(client.callgest_currency_id, self.company.currency_id)
        client._callgest_add_pending_fees(95.0, 60.0)
        client._callgest_add_pending_fees(10.0, 15.0)
        self.assertEqual(client.callgest_setup_fee_pending, 105.0)
        self.assertEqual(client.callgest_deposit_pending, 75.0)
        self.assertEqual(
            client.callgest_fees_pending_date, fields.Date.context_today(client)
        )
        client._callgest_clear_pending_fees()
        self.assertFalse(client.callgest_setup_fee_pending)
        self.assertFalse(client.callgest_deposit_pending)
        self.assertFalse(client.callgest_fees_pending_date)
