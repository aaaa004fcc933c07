from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_call_ids = fields.One2many("callgest.call", "partner_id", string="Calls")
    callgest_call_count = fields.Integer(
        string="Number of calls", compute="_compute_callgest_call_count"
    )
    callgest_missed_call_report = fields.Boolean(
        string="Daily missed-calls report",
        default=True,
        help="Each morning, send the client the list of the calls missed the "
        "day before (through its recipients, or by email).",
    )
    callgest_recording_retention_days = fields.Integer(
        string="Keep recordings (days)",
        help="Days the recordings of this client's calls are kept; 0 keeps "
        "them as long as the company's setting says.",
    )

    @api.depends("callgest_call_ids")
    def _compute_callgest_call_count(self):
        counts = dict(
            self.env["callgest.call"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.callgest_call_count = counts.get(partner, 0)

    @api.constrains("callgest_recording_retention_days")
    def _check_callgest_recording_retention_days(self):
        for partner in self:
            if partner.callgest_recording_retention_days < 0:
                raise ValidationError(
                    _(
                        "The recordings of %(client)s cannot be kept a negative "
                        "number of days.",
                        client=partner.display_name,
                    )
                )

    def action_open_callgest_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_voip.callgest_call_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"search_default_group_disposition": 0}
        return action
