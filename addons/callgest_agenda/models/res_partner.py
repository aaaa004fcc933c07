import secrets

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_agenda_resource_ids = fields.One2many(
        "resource.resource", "callgest_client_id", string="Agenda professionals"
    )
    callgest_agenda_type_ids = fields.One2many(
        "resource.booking.type", "callgest_client_id", string="Appointment types"
    )
    callgest_agenda_token = fields.Char(
        string="Booking page token",
        copy=False,
        groups="callgest_base.group_callgest_supervisor",
        help="The secret part of the client's public booking page address.",
    )

    def action_callgest_new_agenda_token(self):
        """A new public booking address; the old link stops working."""
        for client in self:
            client.sudo().callgest_agenda_token = secrets.token_urlsafe(16)
        return True

    def action_callgest_view_appointments(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "callgest_agenda.action_callgest_appointments"
        )
        action["domain"] = [
            ("callgest_client_id", "=", self.id),
            ("active", "in", [True, False]),
        ]
        action["context"] = {"active_test": False}
        return action
