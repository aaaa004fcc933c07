from odoo import _, api, models


class CallgestDdi(models.Model):
    _inherit = "callgest.ddi"

    @api.model
    def _serve_decision_partner_fields(self):
        return super()._serve_decision_partner_fields() + [
            "callgest_billing_mode",
            "callgest_prepaid_exhausted_behaviour",
        ]

    def _serve_decision(self):
        """A prepaid client whose balance is exhausted and who chose to stop
        is not served: the PBX lets the call ring out (it is reported as
        missed) and the secretaries' screen pop says so."""
        decision = super()._serve_decision()
        # the client's prepaid account with the company of the DDI
        partner = self.partner_id.sudo().with_company(self.company_id)
        # not the whole row of the client (the screen pop's speed)
        partner.fetch(self._serve_decision_partner_fields())
        # the balance is summed only for a prepaid client who stops: it is
        # never stopped otherwise (and the screen pop spares the query)
        if (
            decision["serve"]
            and partner._callgest_prepaid_stops()
            and partner.callgest_prepaid_stopped
        ):
            decision = {"serve": False, "serve_reason": _("prepaid balance exhausted")}
        return decision
