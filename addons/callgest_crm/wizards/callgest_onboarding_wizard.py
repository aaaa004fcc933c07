import pytz
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _lang_get, _tz_get

from ..tools import languages

MAX_CLIENT_CODE = 99999999  # client codes have 2 to 8 digits
# Proposed first: a client's line is a plain number, not a 90X or a mobile.
GEOGRAPHIC_NUMBER_TYPES = ("fixed_line", "fixed_line_or_mobile")


def _partner_selection(field_name):
    """The selection of a field of res.partner, in the user's language."""

    def selection(self):
        field = self.env["res.partner"]._fields[field_name]
        return field._description_selection(self.env)

    return selection


class CallgestOnboardingWizard(models.TransientModel):
    """Turn a won opportunity into an active answering-service client."""

    _name = "callgest.onboarding.wizard"
    _description = "Onboard a won opportunity as a CallGest client"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Existing contact",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        domain=[("parent_id", "=", False)],
        help="The contact that becomes the client. Leave it empty to create a new "
        "client from the opportunity.",
    )
    client_name = fields.Char(
        string="New client",
        compute="_compute_client_name",
        store=True,
        readonly=False,
        precompute=True,
        help="Name of the client created from the opportunity.",
    )
    country_id = fields.Many2one(
        "res.country",
        compute="_compute_country_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Country of the client: the DDI proposed is a number of this country.",
    )
    client_code = fields.Char(
        compute="_compute_client_code",
        store=True,
        readonly=False,
        precompute=True,
        help="2 to 8 digits that a secretary dials before an outbound call made on "
        "behalf of the client. The next free code is proposed.",
    )
    client_type = fields.Selection(
        _partner_selection("callgest_client_type"),
        compute="_compute_client_settings",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    service_level = fields.Selection(
        _partner_selection("callgest_service_level"),
        compute="_compute_client_settings",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Business hours",
        compute="_compute_client_settings",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('company_id', 'in', (False, company_id))]",
    )
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        compute="_compute_tz",
        store=True,
        readonly=False,
        precompute=True,
    )
    lang = fields.Selection(
        _lang_get,
        string="Language",
        compute="_compute_lang",
        store=True,
        readonly=False,
        precompute=True,
    )
    ddi_id = fields.Many2one(
        "callgest.ddi",
        string="DDI",
        compute="_compute_ddi_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('state', '=', 'available'), ('partner_id', '=', False), "
        "('company_id', '=', company_id)]",
        help="The number from the stock that the client forwards its calls to. The "
        "first number of the client's country is proposed, a geographic one if "
        "there is any.",
    )

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.depends("lead_id")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.lead_id.company_id or self.env.company

    @api.depends("lead_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.lead_id.partner_id.commercial_partner_id

    @api.depends("lead_id", "partner_id")
    def _compute_client_name(self):
        for wizard in self:
            lead = wizard.lead_id
            wizard.client_name = (
                wizard.partner_id.name
                or lead.partner_name
                or lead.contact_name
                or lead.name
            )

    @api.depends("lead_id", "partner_id")
    def _compute_country_id(self):
        for wizard in self:
            wizard.country_id = (
                wizard.partner_id.country_id
                or wizard.lead_id.country_id
                or wizard.company_id.country_id
            )

    @api.depends("partner_id")
    def _compute_client_code(self):
        next_code = False
        for wizard in self:
            code = wizard.partner_id.callgest_client_code
            if not code:
                next_code = next_code or self._next_client_code()
                code = next_code
            wizard.client_code = code

    @api.depends("partner_id")
    def _compute_client_settings(self):
        for wizard in self:
            partner = wizard.partner_id
            is_client = partner.is_callgest_client
            wizard.client_type = (
                is_client and partner.callgest_client_type
            ) or "individual"
            wizard.service_level = (
                is_client and partner.callgest_service_level
            ) or "level_1"
            wizard.calendar_id = partner.callgest_calendar_id

    @api.depends("partner_id", "country_id")
    def _compute_tz(self):
        for wizard in self:
            country_zones = pytz.country_timezones.get(wizard.country_id.code or "")
            wizard.tz = (
                wizard.partner_id.tz
                or (country_zones and country_zones[0])
                or self.env.user.tz
            )

    @api.depends("lead_id", "partner_id", "country_id", "company_id")
    def _compute_lang(self):
        """The client's language: the lead's, else the contact's, else the
        usual one of the client's country, else the provider's; never the
        language of the salesperson who happens to open the wizard."""
        installed = [code for code, __ in _lang_get(self)]
        for wizard in self:
            known = (wizard.lead_id.lang_id.code, wizard.partner_id.lang)
            provider = wizard.company_id.partner_id.lang
            wizard.lang = (
                next((lang for lang in known if lang in installed), False)
                or languages.country_language(wizard.country_id.code, installed)
                or (provider if provider in installed else False)
            )

    @api.depends("country_id", "company_id")
    def _compute_ddi_id(self):
        for wizard in self:
            country_code = wizard.country_id.code
            if wizard.ddi_id and wizard.ddi_id.number_region == country_code:
                continue
            wizard.ddi_id = wizard._first_stock_ddi(country_code)

    def _first_stock_ddi(self, country_code):
        """The first number in stock of a country, a geographic one if any."""
        Ddi = self.env["callgest.ddi"]
        if not country_code:
            return Ddi
        domain = self._ddi_stock_domain() + [("number_region", "=", country_code)]
        return Ddi.search(
            domain + [("number_type", "in", GEOGRAPHIC_NUMBER_TYPES)],
            order="number",
            limit=1,
        ) or Ddi.search(domain, order="number", limit=1)

    def _ddi_stock_domain(self):
        return [
            ("state", "=", "available"),
            ("partner_id", "=", False),
            ("company_id", "=", self.company_id.id),
        ]

    @api.model
    def _next_client_code(self):
        """The highest numeric client code plus one (at least 2 digits)."""
        self.env["res.partner"].flush_model(["callgest_client_code"])
        self.env.cr.execute(
            SQL(
                "SELECT max(callgest_client_code::bigint) FROM res_partner "
                "WHERE callgest_client_code ~ %s",
                r"^\d{2,8}$",
            )
        )
        highest = self.env.cr.fetchone()[0] or 0
        if highest >= MAX_CLIENT_CODE:
            return False
        return str(highest + 1).zfill(2)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_client(self):
        partner = self.partner_id
        if partner.is_callgest_client and partner.callgest_service_state == "active":
            raise UserError(
                _(
                    "%(client)s is already an active client: assign more DDIs from "
                    "the client's form instead of onboarding it again.",
                    client=partner.display_name,
                )
            )
        if not partner and not (self.client_name or "").strip():
            raise UserError(_("Choose an existing contact or name the new client."))
        if not self.client_code:
            raise UserError(
                _("Give the client a code: 2 to 8 digits, dialed before its calls.")
            )

    def _check_ddi(self):
        ddi = self.ddi_id.sudo()
        if not ddi:
            raise UserError(_("Choose the client's DDI from the stock of numbers."))
        if ddi.state != "available" or ddi.partner_id:
            raise UserError(
                _(
                    "The DDI %(number)s is no longer in stock (%(state)s, %(client)s):"
                    " choose another number.",
                    number=ddi.number_international or ddi.number_entered,
                    state=ddi._state_label(ddi.state),
                    client=ddi.partner_id.display_name or _("no client"),
                )
            )
        return ddi

    # ------------------------------------------------------------------
    # Onboarding
    # ------------------------------------------------------------------
    def _client_values(self):
        return {
            "is_callgest_client": True,
            "callgest_client_code": self.client_code.strip(),
            "callgest_client_type": self.client_type,
            "callgest_service_level": self.service_level,
            "callgest_calendar_id": self.calendar_id.id,
            "tz": self.tz,
            "lang": self.lang,
        }

    def _create_or_update_client(self):
        """The client, created or updated as superuser.

        Service accounts are protected (callgest_base lets only supervisors
        change them); this wizard is the path by which salesmen may too.
        """
        values = self._client_values()
        if self.partner_id:
            client = self.partner_id.sudo()
            if not client.country_id and self.country_id:
                values["country_id"] = self.country_id.id
            client.write(values)
            if client.callgest_service_state != "onboarding":
                client.write({"callgest_service_state": "onboarding"})
            return client
        lead = self.lead_id
        Partner = self.env["res.partner"].sudo()
        is_company = bool(lead.partner_name) or self.client_type != "individual"
        client = Partner.create(
            {
                **lead._prepare_customer_values(
                    self.client_name.strip(), is_company=is_company
                ),
                "country_id": self.country_id.id,
                **values,
                "callgest_service_state": "onboarding",
            }
        )
        if is_company and lead.contact_name and lead.contact_name != client.name:
            Partner.create(
                {
                    **lead._prepare_customer_values(
                        lead.contact_name, is_company=False, parent_id=client.id
                    ),
                    "country_id": self.country_id.id,
                    "comment": False,
                    "lang": self.lang,
                }
            )
        return client

    def action_onboard(self):
        self.ensure_one()
        lead = self.lead_id
        lead._callgest_check_onboardable()
        lead.check_access("write")
        self._check_client()
        ddi = self._check_ddi()

        client = self._create_or_update_client()
        ddi.write({"partner_id": client.id})
        ddi.action_activate()
        client.write({"callgest_service_state": "active"})
        self._callgest_onboarded(client)
        lead.partner_id = client.id

        details = {
            "code": client.callgest_client_code,
            "level": dict(
                self._fields["service_level"]._description_selection(self.env)
            )[self.service_level],
            "ddi": ddi.number_international,
        }
        more = self._callgest_onboarding_note_more()
        lead.message_post(
            body=self._callgest_note(
                _(
                    "Onboarded as the CallGest client %(client)s (code %(code)s, "
                    "%(level)s) on the DDI %(ddi)s.",
                    client=client._get_html_link(),
                    **details,
                ),
                more,
            ),
            subtype_xmlid="mail.mt_note",
        )
        client.message_post(
            body=self._callgest_note(
                _(
                    "Onboarded from the opportunity %(lead)s (code %(code)s, "
                    "%(level)s) on the DDI %(ddi)s.",
                    lead=lead._get_html_link(),
                    **details,
                ),
                more,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}

    def _callgest_onboarded(self, client):
        """Hook: ``client`` was just made active on its DDI (the billing bridge,
        callgest_crm_billing, records the fees to invoice here)."""

    def _callgest_onboarding_note_more(self):
        """Hook: sentences added to the onboarding notes (text), or none."""
        return []

    @staticmethod
    def _callgest_note(body, more):
        """The note ``body`` (HTML) followed by the sentences ``more``."""
        return Markup(" ").join([body, *more])
