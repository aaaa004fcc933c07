from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_recipient_ids = fields.One2many(
        "callgest.recipient", "partner_id", string="Notification recipients"
    )
    callgest_incident_type_ids = fields.One2many(
        "callgest.incident.type", "partner_id", string="Incident types"
    )
    callgest_incident_sequence_id = fields.Many2one(
        "ir.sequence", string="Incident numbering", copy=False, readonly=True
    )

    def _callgest_next_incident_name(self):
        """The next incident reference of this client, from its own sequence."""
        self.ensure_one()
        client = self.commercial_partner_id.sudo()
        if not client.callgest_incident_sequence_id:
            prefix = client.callgest_client_code or str(client.id)
            client.callgest_incident_sequence_id = (
                self.env["ir.sequence"]
                .sudo()
                .create(
                    {
                        "name": f"CallGest incidents {client.name}",
                        "prefix": f"{prefix}-INC-",
                        "padding": 5,
                        "company_id": client.company_id.id,
                    }
                )
            )
        return client.callgest_incident_sequence_id.next_by_id()
