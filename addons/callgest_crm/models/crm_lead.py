from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    callgest_can_onboard = fields.Boolean(
        string="Can be onboarded",
        compute="_compute_callgest_can_onboard",
        help="Won, and its customer is not an active answering-service client yet.",
    )
    callgest_message_id = fields.Many2one(
        "callgest.message",
        string="Recado",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The information request taken on a call this lead comes from.",
    )

    _sql_constraints = [
        (
            "callgest_message_uniq",
            "unique(callgest_message_id)",
            "A recado becomes one lead only.",
        ),
    ]

    @api.depends(
        "active",
        "stage_id.is_won",
        "partner_id.commercial_partner_id.is_callgest_client",
        "partner_id.commercial_partner_id.callgest_service_state",
    )
    def _compute_callgest_can_onboard(self):
        for lead in self:
            lead.callgest_can_onboard = (
                lead._callgest_is_won() and not lead._callgest_active_client()
            )

    def _callgest_is_won(self):
        self.ensure_one()
        return bool(self.active and self.stage_id.is_won)

    def _callgest_active_client(self):
        """The lead's customer if it already is an active client."""
        self.ensure_one()
        client = self.partner_id.commercial_partner_id
        if client.is_callgest_client and client.callgest_service_state == "active":
            return client
        return client.browse()

    def _callgest_check_onboardable(self):
        for lead in self:
            if not lead._callgest_is_won():
                raise UserError(
                    _(
                        "The opportunity %(lead)s is not won: mark it as won before "
                        "you onboard its client.",
                        lead=lead.display_name,
                    )
                )
            client = lead._callgest_active_client()
            if client:
                raise UserError(
                    _(
                        "%(client)s is already an active client: assign more DDIs "
                        "from the client's form instead of onboarding it again.",
                        client=client.display_name,
                    )
                )

    def action_callgest_onboard(self):
        """Open the wizard that turns this won opportunity into a client."""
        self.ensure_one()
        self._callgest_check_onboardable()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_crm.action_callgest_onboarding_wizard"
        )
        action["context"] = {"default_lead_id": self.id}
        return action
