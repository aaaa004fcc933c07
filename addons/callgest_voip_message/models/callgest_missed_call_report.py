from odoo import models


class CallgestMissedCallReport(models.Model):
    _inherit = "callgest.missed.call.report"

    def _callgest_send(self, client, subject, body):
        """To the client's recipients that take reports, on their channels,
        with the retries and digests of recados.

        A client that has no recipient at all (it set up none in
        callgest_message) still gets the report by email, as without this
        addon.
        """
        self.ensure_one()
        if not client.commercial_partner_id.callgest_recipient_ids:
            return super()._callgest_send(client, subject, body)
        deliveries = self.env["callgest.delivery"]._enqueue_report(
            client, "report", subject, body
        )
        self.write(
            {
                "channel": "delivery" if deliveries else "none",
                "delivery_count": len(deliveries),
            }
        )
