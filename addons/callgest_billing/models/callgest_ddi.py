from odoo import _, api, models


class CallgestDdi(models.Model):
    _inherit = "callgest.ddi"

    @api.model
    def resolve_number(self, raw_number):
        """Also tell the PBX whether to serve the call: a prepaid client whose
        balance is exhausted and who chose to stop is not served (the call
        rings out and is reported as missed)."""
        payload = super().resolve_number(raw_number)
        if payload["client_id"]:
            client = self.env["res.partner"].sudo().browse(payload["client_id"])
            stopped = client.callgest_prepaid_stopped
            payload["serve"] = not stopped
            payload["reason"] = _("prepaid balance exhausted") if stopped else False
        return payload
