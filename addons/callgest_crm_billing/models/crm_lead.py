from odoo import _, fields, models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    _inherit = "crm.lead"

    callgest_quote_ids = fields.One2many(
        "callgest.quote", "lead_id", string="Quotes", copy=False
    )
    callgest_quote_id = fields.Many2one(
        "callgest.quote",
        string="Current quote",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The quote sent to the prospect, which set the expected revenue.",
    )
    callgest_quote_count = fields.Integer(
        string="Quote count", compute="_compute_callgest_quote_count"
    )
    callgest_monthly_estimate = fields.Monetary(
        string="Monthly estimate",
        related="callgest_quote_id.monthly_estimate",
        currency_field="callgest_quote_currency_id",
    )
    callgest_quote_currency_id = fields.Many2one(
        related="callgest_quote_id.currency_id", string="Quote currency"
    )

    def _compute_callgest_quote_count(self):
        counts = dict(
            self.env["callgest.quote"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.callgest_quote_count = counts.get(lead, 0)

    def action_callgest_quote(self):
        """Open the quote wizard: the prospect's calls or its profile."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_crm_billing.action_callgest_quote_wizard"
        )
        action["context"] = {"default_lead_id": self.id}
        return action

    def action_callgest_view_quotes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_crm_billing.action_callgest_quote"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id, "create": False}
        if self.callgest_quote_count == 1:
            action.update(
                view_mode="form",
                views=[(False, "form")],
                res_id=self.callgest_quote_ids.id,
            )
        return action

    def action_callgest_send_quote(self):
        """The mail composer with the quote template: the current quote's PDF
        attached, written in the prospect's language."""
        self.ensure_one()
        if not self.callgest_quote_id:
            raise UserError(
                _("The opportunity %(lead)s has no quote yet.", lead=self.display_name)
            )
        template = self.env.ref("callgest_crm_billing.mail_template_callgest_quote")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "crm.lead",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }
