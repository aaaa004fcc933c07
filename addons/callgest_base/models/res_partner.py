import re

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

SERVICE_STATES = [
    ("prospect", "Prospect"),
    ("onboarding", "Onboarding"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("terminated", "Terminated"),
]

# Service state -> the date field stamped when the client enters it.
SERVICE_STATE_DATE_FIELDS = {
    "onboarding": "callgest_onboarding_date",
    "active": "callgest_activation_date",
    "suspended": "callgest_suspension_date",
    "terminated": "callgest_termination_date",
}

CLIENT_CODE_PATTERN = re.compile(r"^\d{2,8}$")


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_callgest_client = fields.Boolean(
        string="Answering-service client",
        tracking=True,
        help="This contact subscribes to the telephone answering service.",
    )
    callgest_client_type = fields.Selection(
        [
            ("individual", "Single client"),
            ("collective", "Collective of professionals"),
            ("reseller", "Reseller (white label)"),
        ],
        string="Client type",
        default="individual",
        tracking=True,
        help="A collective (shared medical practice, law firm) groups professionals, "
        "each with optional DDIs of their own. A reseller sells the service under "
        "its own brand to sub-clients.",
    )
    callgest_service_level = fields.Selection(
        [
            ("level_1", "Level 1: attention and messages"),
            ("level_2", "Level 2: specific protocol training"),
        ],
        string="Service level",
        default="level_1",
        tracking=True,
    )
    callgest_service_state = fields.Selection(
        SERVICE_STATES,
        string="Service state",
        default="prospect",
        tracking=True,
        index=True,
    )
    callgest_onboarding_date = fields.Date("Onboarding since", tracking=True)
    callgest_activation_date = fields.Date("Active since", tracking=True)
    callgest_suspension_date = fields.Date("Suspended since", tracking=True)
    callgest_termination_date = fields.Date("Terminated on", tracking=True)
    callgest_client_code = fields.Char(
        string="Client code",
        copy=False,
        index=True,
        tracking=True,
        help="Short numeric code a secretary dials before an outbound call made "
        "on behalf of this client, so that the call is charged to it.",
    )
    callgest_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Business hours",
        check_company=True,
        help="Opening hours of the client, with its national, regional and local "
        "holidays as leaves. Calls outside them follow the out-of-hours protocol.",
    )
    callgest_is_professional = fields.Boolean(
        string="Professional of a collective",
        help="A professional (doctor, lawyer...) of the collective this contact "
        "belongs to.",
    )
    callgest_professional_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Professionals",
        domain=[("callgest_is_professional", "=", True)],
    )
    callgest_reseller_id = fields.Many2one(
        "res.partner",
        string="Reseller",
        domain=[
            ("is_callgest_client", "=", True),
            ("callgest_client_type", "=", "reseller"),
        ],
        index="btree_not_null",
        tracking=True,
        help="The white-label reseller through which this client is served.",
    )
    callgest_subclient_ids = fields.One2many(
        "res.partner", "callgest_reseller_id", string="Sub-clients"
    )
    callgest_invoice_grouping = fields.Selection(
        [
            ("client", "One invoice for the client"),
            ("professional", "One invoice per professional"),
            ("reseller", "On the reseller's consolidated invoice"),
        ],
        string="Invoicing",
        default="client",
        tracking=True,
    )
    callgest_invoice_partner_id = fields.Many2one(
        "res.partner",
        string="Invoiced to",
        compute="_compute_callgest_invoice_partner_id",
        help="Who receives the invoice for this client's usage.",
    )
    callgest_authorized_contact_ids = fields.One2many(
        "callgest.authorized.contact", "client_id", string="Authorized contacts"
    )
    callgest_ddi_ids = fields.One2many("callgest.ddi", "partner_id", string="DDIs")
    callgest_professional_ddi_ids = fields.One2many(
        "callgest.ddi", "professional_id", string="Own DDIs"
    )
    callgest_ddi_count = fields.Integer(compute="_compute_callgest_ddi_count")
    callgest_tz = fields.Selection(
        related="tz", readonly=False, string="Client timezone"
    )
    callgest_lang = fields.Selection(
        related="lang", readonly=False, string="Client language"
    )
    # The default serves new records, whose form gets defaults, not computes.
    callgest_can_manage = fields.Boolean(
        compute="_compute_callgest_can_manage",
        default=lambda self: self._callgest_user_can_manage(),
    )

    _sql_constraints = [
        (
            "callgest_client_code_uniq",
            "unique(callgest_client_code)",
            "This client code is already used by another client.",
        ),
    ]

    @api.depends(
        "callgest_invoice_grouping", "callgest_reseller_id", "commercial_partner_id"
    )
    def _compute_callgest_invoice_partner_id(self):
        for partner in self:
            if (
                partner.callgest_invoice_grouping == "reseller"
                and partner.callgest_reseller_id
            ):
                partner.callgest_invoice_partner_id = partner.callgest_reseller_id
            else:
                partner.callgest_invoice_partner_id = partner.commercial_partner_id

    def _callgest_user_can_manage(self):
        return self.env.user.has_group("callgest_base.group_callgest_supervisor")

    @api.depends_context("uid")
    def _compute_callgest_can_manage(self):
        can_manage = self._callgest_user_can_manage()
        for partner in self:
            partner.callgest_can_manage = can_manage

    @api.depends("callgest_ddi_ids", "callgest_professional_ddi_ids")
    def _compute_callgest_ddi_count(self):
        groups = self.env["callgest.ddi"]._read_group(
            [
                ("partner_id", "in", self.ids),
                ("state", "!=", "released"),
            ],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.callgest_ddi_count = counts.get(partner.id, 0)

    def action_callgest_portal_access(self):
        """Odoo's portal wizard, for the client's authorized contacts."""
        self.ensure_one()
        if not self._callgest_user_can_manage():
            raise AccessError(
                _("Only a supervisor grants portal access to a client's contacts.")
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "portal.partner_wizard_action"
        )
        action["context"] = {
            "default_partner_ids": self.callgest_authorized_contact_ids.partner_id.ids,
            "active_model": "res.partner",
        }
        return action

    @api.constrains("callgest_client_code")
    def _check_callgest_client_code(self):
        for partner in self.filtered("callgest_client_code"):
            code = partner.callgest_client_code
            if not CLIENT_CODE_PATTERN.match(code):
                raise ValidationError(
                    _(
                        "The client code %(code)s of %(client)s is not valid: use 2 to "
                        "8 digits, the ones a secretary dials before an outbound call.",
                        code=code,
                        client=partner.display_name,
                    )
                )

    @api.constrains(
        "callgest_reseller_id", "callgest_invoice_grouping", "callgest_client_type"
    )
    def _check_callgest_structure(self):
        for partner in self:
            reseller = partner.callgest_reseller_id
            if reseller and (
                reseller == partner or reseller.callgest_client_type != "reseller"
            ):
                raise ValidationError(
                    _(
                        "%(reseller)s cannot be the reseller of %(client)s: choose a "
                        "client of type Reseller.",
                        reseller=reseller.display_name,
                        client=partner.display_name,
                    )
                )
            grouping = partner.callgest_invoice_grouping
            if grouping == "reseller" and not reseller:
                raise ValidationError(
                    _(
                        "%(client)s is invoiced through a reseller but has none.",
                        client=partner.display_name,
                    )
                )
            if grouping == "professional" and partner.callgest_client_type != (
                "collective"
            ):
                raise ValidationError(
                    _(
                        "Only a collective of professionals can be invoiced per "
                        "professional (%(client)s).",
                        client=partner.display_name,
                    )
                )

    @api.onchange("callgest_calendar_id")
    def _onchange_callgest_calendar_id(self):
        if self.callgest_calendar_id.tz and not self.tz:
            self.tz = self.callgest_calendar_id.tz

    def _check_callgest_client_code_free(self, code):
        """Refuse a code used by another client, before the database does."""
        if not code:
            return
        other = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("callgest_client_code", "=", code), ("id", "not in", self.ids)],
                limit=1,
            )
        )
        if other:
            raise ValidationError(
                _(
                    "The client code %(code)s is already used by %(other)s. "
                    "Each client needs its own code.",
                    code=code,
                    other=other.display_name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        codes = [
            vals["callgest_client_code"]
            for vals in vals_list
            if vals.get("callgest_client_code")
        ]
        for vals in vals_list:
            self._check_callgest_write_access(vals)
            self._stamp_callgest_service_date(vals)
            if codes.count(vals.get("callgest_client_code")) > 1:
                raise ValidationError(
                    _(
                        "The client code %(code)s is given twice.",
                        code=vals["callgest_client_code"],
                    )
                )
            self._check_callgest_client_code_free(vals.get("callgest_client_code"))
        return super().create(vals_list)

    def write(self, vals):
        self._check_callgest_write_access(vals)
        if "active" in vals:
            self._check_callgest_account_removal(
                _("Only CallGest supervisors can archive or restore a client account")
            )
        if vals.get("callgest_client_code"):
            if len(self) > 1:
                raise ValidationError(
                    _("Each client needs its own code: set them one by one.")
                )
            self._check_callgest_client_code_free(vals["callgest_client_code"])
        if "callgest_service_state" in vals:
            vals = dict(vals)
            self._stamp_callgest_service_date(vals)
        return super().write(vals)

    def unlink(self):
        self._check_callgest_account_removal(
            _("Only CallGest supervisors can delete a client account")
        )
        return super().unlink()

    def _check_callgest_account_removal(self, message):
        """Clients and their professionals are the service: their records are
        a supervisor's (the record rules enforce it, this says it clearly)."""
        if self.env.su or self._callgest_user_can_manage():
            return
        accounts = self.filtered(
            lambda p: p.is_callgest_client or p.callgest_is_professional
        )
        if accounts:
            raise AccessError(
                _(
                    "%(message)s: %(names)s.",
                    message=message,
                    names=", ".join(accounts.mapped("display_name")),
                )
            )

    def _check_callgest_write_access(self, vals):
        """Service accounts are managed by supervisors only.

        Secretaries may need to create or fix ordinary contacts (callers), so
        the protection is on the service fields, not on the whole model.
        """
        if self.env.su or self._callgest_user_can_manage():
            return
        protected = [
            fname
            for fname in vals
            if fname in self._fields
            and (fname.startswith("callgest_") or fname == "is_callgest_client")
            # related (timezone, language) and computed fields are not the account
            and not self._fields[fname].compute
        ]
        if not self:
            # A form sends the defaults of every field it shows on create.
            defaults = self.default_get(protected)
            protected = [
                fname
                for fname in protected
                if vals[fname] and vals[fname] != defaults.get(fname)
            ]
        if protected:
            raise AccessError(
                _(
                    "Only CallGest supervisors can change a client's service "
                    "account (%(fields)s).",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env)
                        for fname in protected
                    ),
                )
            )

    def _stamp_callgest_service_date(self, vals):
        date_field = SERVICE_STATE_DATE_FIELDS.get(vals.get("callgest_service_state"))
        if date_field and not vals.get(date_field):
            vals[date_field] = fields.Date.context_today(self)

    @api.model
    def _callgest_find_client_by_code(self, code):
        """The client whose code was dialed before an outbound call."""
        code = (code or "").strip()
        if not code:
            return self.browse()
        return self.search(
            [("callgest_client_code", "=", code), ("is_callgest_client", "=", True)],
            limit=1,
        )

    def action_callgest_view_ddis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_base.action_callgest_ddi"
        )
        action["domain"] = [
            "|",
            ("partner_id", "=", self.id),
            ("professional_id", "=", self.id),
        ]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_filter_in_service": 1,
        }
        return action

    def action_callgest_assign_ddis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_base.action_callgest_ddi_assign_wizard"
        )
        action["context"] = {"default_partner_id": self.id}
        return action
