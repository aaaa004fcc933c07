import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.callgest_base.tools import phone_numbers, phone_validation


class CallgestCallItemMixin(models.AbstractModel):
    """What a secretary records about a call, whatever she records.

    Shared by recados and incidencias: the DDI called, the client and
    professional it resolves to, the caller, who took the call and when, and
    the deliveries to the client's recipients.
    """

    _name = "callgest.call.item.mixin"
    _description = "CallGest call item"
    _check_company_auto = True

    ddi_id = fields.Many2one(
        "callgest.ddi",
        string="DDI",
        index=True,
        check_company=True,
        domain=[("state", "in", ("active", "suspended"))],
        help="The number the caller dialed: it tells whose call it is.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("is_callgest_client", "=", True)],
    )
    professional_id = fields.Many2one(
        "res.partner",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('parent_id', '=', partner_id), "
        "('callgest_is_professional', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    caller_name = fields.Char(tracking=True)
    caller_number = fields.Char(
        tracking=True, help="The caller's number as written or as the PBX sent it."
    )
    caller_number_e164 = fields.Char(
        string="Caller number (E.164)",
        compute="_compute_caller_number_e164",
        store=True,
        index="btree_not_null",
    )
    caller_number_invalid = fields.Boolean(
        compute="_compute_caller_number_e164",
        store=True,
        help="The caller's number could not be read: it is kept as written.",
    )
    caller_number_search = fields.Char(
        string="Caller number (any form)",
        compute="_compute_caller_number_search",
        search="_search_caller_number_search",
    )
    caller_company = fields.Char()
    caller_email = fields.Char()
    caller_partner_id = fields.Many2one(
        "res.partner",
        string="Caller contact",
        compute="_compute_caller_partner_id",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    taken_by_id = fields.Many2one(
        "res.users", string="Taken by", default=lambda self: self.env.user, index=True
    )
    taken_at = fields.Datetime(
        string="Taken at", default=fields.Datetime.now, required=True, index=True
    )
    taken_at_client_tz = fields.Char(
        string="Taken at (client time)", compute="_compute_taken_at_client_tz"
    )

    @api.depends("ddi_id")
    def _compute_partner_id(self):
        for item in self:
            if item.ddi_id:
                item.partner_id = item.ddi_id.partner_id
                item.professional_id = item.ddi_id.professional_id

    @api.depends("caller_number", "partner_id.country_id", "company_id.country_id")
    def _compute_caller_number_e164(self):
        for item in self:
            e164 = False
            if phone_numbers.clean_raw_number(item.caller_number):
                country = item.partner_id.country_id or item.company_id.country_id
                try:
                    e164 = phone_validation.parse_number(
                        item.caller_number, country.code
                    ).e164
                except UserError:
                    e164 = False
            item.caller_number_e164 = e164
            item.caller_number_invalid = bool(item.caller_number) and not e164

    def _compute_caller_number_search(self):
        for item in self:
            item.caller_number_search = item.caller_number_e164 or item.caller_number

    def _search_caller_number_search(self, operator, value):
        """Find a caller by any written form of the number."""
        if operator not in ("ilike", "=", "like") or not isinstance(value, str):
            return [("caller_number", operator, value)]
        digits = phone_numbers.search_digits(value)
        if len(digits) < 3:
            return [("caller_number", "ilike", value)]
        return [
            "|",
            "|",
            ("caller_number_e164", "like", digits),
            ("caller_number_e164", "like", digits.lstrip("0") or digits),
            ("caller_number", "ilike", value),
        ]

    @api.depends("caller_number_e164")
    def _compute_caller_partner_id(self):
        Partner = self.env["res.partner"]
        for item in self:
            if item.caller_number_e164 and not item.caller_partner_id:
                item.caller_partner_id = Partner.search(
                    [("phone_mobile_search", "=", item.caller_number_e164)], limit=1
                )

    @api.depends("taken_at", "partner_id.tz")
    def _compute_taken_at_client_tz(self):
        for item in self:
            if not item.taken_at:
                item.taken_at_client_tz = False
                continue
            tz_name = item.partner_id.tz or self.env.user.tz or "UTC"
            local = pytz.utc.localize(item.taken_at).astimezone(pytz.timezone(tz_name))
            item.taken_at_client_tz = f"{local:%d/%m/%Y %H:%M} ({tz_name})"

    @api.constrains("partner_id", "ddi_id")
    def _check_client(self):
        for item in self:
            if not item.partner_id:
                raise ValidationError(
                    _(
                        "Choose the DDI that was called or the client: a %(what)s "
                        "cannot be recorded for nobody.",
                        what=self.env["ir.model"]._get(self._name).name,
                    )
                )
            if item.ddi_id and item.ddi_id.partner_id != item.partner_id:
                raise ValidationError(
                    _(
                        "The DDI %(ddi)s belongs to %(owner)s, not to %(client)s.",
                        ddi=item.ddi_id.number_international,
                        owner=item.ddi_id.partner_id.name or _("no client"),
                        client=item.partner_id.name,
                    )
                )

    def action_create_caller_contact(self):
        """Create the caller as a contact when no contact has that number."""
        self.ensure_one()
        if self.caller_partner_id:
            raise UserError(
                _(
                    "The caller is already linked to %(contact)s.",
                    contact=self.caller_partner_id.display_name,
                )
            )
        if not (self.caller_name or self.caller_number or self.caller_email):
            raise UserError(_("Write the caller's name, number or email first."))
        self.caller_partner_id = self.env["res.partner"].create(
            {
                "name": self.caller_name or self.caller_number or self.caller_email,
                "phone": self.caller_number_e164 or self.caller_number,
                "email": self.caller_email,
                "company_name": self.caller_company,
                "country_id": self.partner_id.country_id.id,
            }
        )
        return True

    # ------------------------------------------------------------------
    # Delivery
    # ------------------------------------------------------------------
    def _delivery_category(self):
        """The ``callgest.message.category`` recipients subscribe to."""
        raise NotImplementedError

    def _delivery_is_urgent(self):
        raise NotImplementedError

    def _delivery_link_vals(self):
        """The field of ``callgest.delivery`` that points back to this item."""
        raise NotImplementedError

    def _delivery_recipients(self):
        """The recipients this item may go to (before their categories and
        channels are checked): the client's."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id.callgest_recipient_ids

    def _enqueue_deliveries(self):
        """Queue one delivery per matching recipient; the immediate ones are
        enqueued as jobs at once, the digests by the cron at their time."""
        Delivery = self.env["callgest.delivery"]
        vals_list = []
        for item in self:
            recipients = item._delivery_recipients()
            for recipient in recipients.filtered(
                lambda r, item=item: r._wants(
                    item._delivery_category(), item._delivery_is_urgent()
                )
            ):
                vals_list.append(
                    {
                        **item._delivery_link_vals(),
                        **recipient._delivery_schedule_vals(item._delivery_is_urgent()),
                    }
                )
        deliveries = Delivery.sudo().create(vals_list)
        deliveries._enqueue_immediate()
        return deliveries
