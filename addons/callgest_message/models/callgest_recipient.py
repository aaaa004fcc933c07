import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from odoo.addons.base.models.res_partner import _lang_get
from odoo.addons.callgest_base.tools import phone_validation

from ..tools import scheduling

TELEGRAM_CHAT = re.compile(r"^(-?\d{3,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")


class CallgestRecipient(models.Model):
    """Who receives a client's recados and incidencias, how and when."""

    _name = "callgest.recipient"
    _description = "CallGest notification recipient"
    _order = "partner_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_callgest_client", "=", True)],
        check_company=True,
    )
    contact_id = fields.Many2one(
        "res.partner",
        domain="[('id', 'child_of', partner_id)]",
        help="An authorized contact of the client; leave empty for an extra "
        "address the client manages.",
    )
    name = fields.Char(
        compute="_compute_name",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("telegram", "Telegram")],
        required=True,
        default="email",
    )
    address = fields.Char(
        required=True,
        help="Email address, mobile number or Telegram chat id (or @channel).",
    )
    lang = fields.Selection(
        _lang_get,
        string="Language",
        required=True,
        default=lambda self: self.env.lang or "en_US",
        help="Emails and texts go out in this language (Spanish, Portuguese, "
        "English... any language installed in Odoo).",
    )
    category_ids = fields.Many2many(
        "callgest.message.category",
        string="Categories",
        help="What this recipient receives; empty means every category.",
    )
    urgency_filter = fields.Selection(
        [("all", "Normal and urgent"), ("urgent", "Urgent only")],
        string="Urgencies",
        default="all",
        required=True,
    )
    mode = fields.Selection(
        [
            ("immediate", "At once"),
            ("digest", "Digest"),
            ("urgent_immediate", "Urgent at once, the rest in the digest"),
        ],
        default="immediate",
        required=True,
    )
    digest_times = fields.Char(
        default="13:00, 18:00",
        help="Times of the digest in the client's timezone, e.g. 13:00, 18:00.",
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    active = fields.Boolean(default=True)
    delivery_ids = fields.One2many("callgest.delivery", "recipient_id")
    digest_delivery_ids = fields.Many2many(
        "callgest.delivery",
        compute="_compute_digest_delivery_ids",
        help="The deliveries of the digest being sent (for its email template).",
    )

    @api.depends_context("callgest_digest_delivery_ids")
    def _compute_digest_delivery_ids(self):
        ids = self.env.context.get("callgest_digest_delivery_ids") or []
        for recipient in self:
            recipient.digest_delivery_ids = self.env["callgest.delivery"].browse(ids)

    @api.depends("contact_id", "address")
    def _compute_name(self):
        for recipient in self:
            recipient.name = recipient.contact_id.name or recipient.address

    @api.onchange("contact_id", "channel")
    def _onchange_contact_id(self):
        contact = self.contact_id
        if not contact:
            return
        if self.channel == "email" and contact.email:
            self.address = contact.email
        elif self.channel == "sms" and (contact.mobile or contact.phone):
            self.address = contact.mobile or contact.phone
        if contact.lang:
            self.lang = contact.lang

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        for vals in vals_list:
            vals["address"] = self._normalized_address(
                vals.get("channel", "email"),
                vals.get("address"),
                Partner.browse(vals.get("partner_id")),
            )
        return super().create(vals_list)

    def write(self, vals):
        if "address" not in vals and "channel" not in vals:
            return super().write(vals)
        for recipient in self:
            recipient_vals = dict(vals)
            recipient_vals["address"] = self._normalized_address(
                vals.get("channel", recipient.channel),
                vals.get("address", recipient.address),
                recipient.partner_id,
            )
            super(CallgestRecipient, recipient).write(recipient_vals)
        return True

    @api.model
    def _normalized_address(self, channel, address, partner):
        """Validate an address for its channel; return it normalized."""
        address = (address or "").strip()
        if channel == "email":
            normalized = email_normalize(address)
            if not normalized:
                raise ValidationError(
                    _("%(address)s is not a valid email address.", address=address)
                )
            return normalized
        if channel == "sms":
            country = partner.country_id or self.env.company.country_id
            try:
                return phone_validation.parse_number(address, country.code).e164
            except UserError as error:
                raise ValidationError(
                    _(
                        "%(address)s is not a valid phone number for SMS: %(reason)s",
                        address=address,
                        reason=error.args[0],
                    )
                ) from error
        if not TELEGRAM_CHAT.match(address):
            raise ValidationError(
                _(
                    "%(address)s is not a Telegram chat id: use the numeric id "
                    "(e.g. 123456789, or -100... for a group) or @channelname.",
                    address=address,
                )
            )
        return address

    @api.constrains("digest_times", "mode")
    def _check_digest_times(self):
        for recipient in self.filtered(lambda r: r.mode != "immediate"):
            try:
                scheduling.parse_digest_times(recipient.digest_times)
            except ValueError as error:
                raise ValidationError(
                    _(
                        "Write the digest times of %(name)s as HH:MM separated by "
                        "commas, e.g. 13:00, 18:00 (not %(wrong)s).",
                        name=recipient.name,
                        wrong=error.args[0] if error.args else "",
                    )
                ) from error

    def _wants(self, category, urgent):
        self.ensure_one()
        if self.urgency_filter == "urgent" and not urgent:
            return False
        return not self.category_ids or category in self.category_ids

    def _delivery_schedule_vals(self, urgent):
        """When a new item for this recipient must go out."""
        self.ensure_one()
        now = fields.Datetime.now()
        digest = self.mode == "digest" or (
            self.mode == "urgent_immediate" and not urgent
        )
        when = now
        if digest:
            when = scheduling.next_digest_at(
                now,
                scheduling.parse_digest_times(self.digest_times),
                self.partner_id.tz or self.env.user.tz or "UTC",
            )
        return {
            "recipient_id": self.id,
            "channel": self.channel,
            "address": self.address,
            "is_digest": digest,
            "scheduled_at": when,
            "next_attempt_at": when,
        }
