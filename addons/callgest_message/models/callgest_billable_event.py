from odoo import api, fields, models


class CallgestBillableEvent(models.Model):
    """A message sent to a client, for billing to count (0.15 € or 0.30 €)."""

    _name = "callgest.billable.event"
    _description = "CallGest billable event"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    event_type = fields.Selection(
        [
            ("message_auto", "Message sent automatically"),
            ("message_manual", "Message written and sent by hand"),
        ],
        required=True,
        index=True,
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("telegram", "Telegram")]
    )
    quantity = fields.Integer(default=1, required=True)
    delivery_ids = fields.One2many("callgest.delivery", "billable_event_id")

    @api.model
    def _record_sent(self, deliveries):
        """One message went out for ``deliveries`` (one recipient's group)."""
        by_hand = any(deliveries.message_id.mapped("written_by_hand"))
        return self.create(
            {
                "partner_id": deliveries.partner_id.id,
                "company_id": deliveries.company_id.id or self.env.company.id,
                "event_type": "message_manual" if by_hand else "message_auto",
                "channel": deliveries[0].channel,
            }
        )
