from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

INFORMATION_CODE = "information"


class CallgestMessage(models.Model):
    _inherit = "callgest.message"

    lead_id = fields.Many2one(
        "crm.lead",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The lead this information request became.",
    )
    callgest_can_convert_to_lead = fields.Boolean(
        string="Can become a lead",
        compute="_compute_callgest_can_convert_to_lead",
        help="An information request taken on the provider's own line, not "
        "converted yet.",
    )

    @api.depends(
        "category_id.code", "ddi_id.partner_id", "partner_id", "lead_id", "state"
    )
    def _compute_callgest_can_convert_to_lead(self):
        for message in self:
            message.callgest_can_convert_to_lead = not message._callgest_lead_refusal()

    def _callgest_on_own_line(self):
        """Whether the call reached the provider's own number."""
        self.ensure_one()
        owner = self.ddi_id.partner_id if self.ddi_id else self.partner_id
        return bool(owner) and owner == self.company_id.partner_id

    def _callgest_lead_refusal(self):
        """Why this recado cannot become a lead, or False if it can."""
        self.ensure_one()
        if self.lead_id:
            return _(
                "The recado %(name)s is already converted into a lead.",
                name=self.name,
            )
        if self.category_id.code != INFORMATION_CODE:
            return _(
                "Only information requests become leads; the recado %(name)s is "
                "in the category %(category)s.",
                name=self.name,
                category=self.category_id.name or _("recado without category"),
            )
        if not self._callgest_on_own_line():
            return _(
                "The recado %(name)s was taken for the client %(client)s: only the "
                "calls to our own numbers become our leads.",
                name=self.name,
                client=self.partner_id.display_name,
            )
        if self.state == "cancelled":
            return _("The recado %(name)s is cancelled.", name=self.name)
        return False

    def action_submit(self):
        result = super().action_submit()
        self.filtered(lambda m: not m._callgest_lead_refusal())._callgest_create_leads()
        return result

    def action_convert_to_lead(self):
        """Turn information requests into leads, by hand."""
        for message in self:
            refusal = message._callgest_lead_refusal()
            if refusal:
                raise UserError(refusal)
        self._callgest_create_leads()
        return True

    def _callgest_lead_values(self):
        self.ensure_one()
        who = self.caller_company or self.caller_name or self.caller_number
        team = (
            self.env["crm.team"]
            .sudo()
            ._get_default_team_id(
                domain=[("company_id", "in", (False, self.company_id.id))]
            )
        )
        medium = self.env.ref("utm.utm_medium_phone", raise_if_not_found=False)
        return {
            "name": _("Information request: %(who)s", who=who or self.name),
            "contact_name": self.caller_name,
            "partner_name": self.caller_company,
            "phone": self.caller_number,
            "email_from": self.caller_email,
            "description": plaintext2html(self.body) if self.body else False,
            "callgest_message_id": self.id,
            "company_id": self.company_id.id,
            # the secretary who took the call does not sell: the team assigns it
            "user_id": False,
            "team_id": team.id,
            "medium_id": medium.id if medium else False,
        }

    def _callgest_create_leads(self):
        """Create one lead per recado, as superuser.

        Secretaries take the calls but have no access to the CRM.
        """
        Lead = self.env["crm.lead"].sudo().with_context(mail_create_nosubscribe=True)
        leads = Lead.browse()
        for message in self:
            lead = Lead.create(message._callgest_lead_values())
            message.sudo().lead_id = lead
            lead.message_post(
                body=_(
                    "Created from the recado %(recado)s taken by %(secretary)s.",
                    recado=message.name,
                    secretary=message.taken_by_id.name or self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            message.message_post(
                body=_(
                    "Information request converted into the lead %(lead)s.",
                    lead=lead._get_html_link(),
                ),
                subtype_xmlid="mail.mt_note",
            )
            leads |= lead
        return leads
