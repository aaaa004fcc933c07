from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.callgest_base.tools import phone_validation

from ..tools import routing


class CallgestProtocolTransferTarget(models.Model):
    """One number of a version's transfer cascade."""

    _name = "callgest.protocol.transfer.target"
    _description = "CallGest protocol transfer target"
    _order = "version_id, sequence, id"

    version_id = fields.Many2one(
        "callgest.protocol.version", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    number = fields.Char(
        required=True,
        help="Any written form; stored in international E.164 form.",
    )
    contact_id = fields.Many2one("res.partner")
    ring_seconds = fields.Integer(string="Ring time (s)", default=20, required=True)

    _sql_constraints = [
        (
            "ring_seconds_positive",
            "CHECK(ring_seconds > 0)",
            "The ring time of a transfer target must be positive.",
        ),
    ]

    @api.model
    def _check_ring_seconds_value(self, vals, number):
        """Refuse a non-positive ring time before the database does."""
        if "ring_seconds" in vals and (vals["ring_seconds"] or 0) <= 0:
            raise ValidationError(
                _(
                    "The ring time of %(number)s must be a positive number of seconds.",
                    number=number or "",
                )
            )

    @api.model
    def _normalize_number(self, raw, version):
        """The E.164 form of ``raw``, or a ValidationError."""
        country = version._country()
        try:
            return phone_validation.parse_number(raw or "", country.code).e164
        except UserError as error:
            raise ValidationError(
                _(
                    "%(number)s is not a valid telephone number for a transfer "
                    "(country: %(country)s). %(reason)s",
                    number=raw or "",
                    country=country.name or _("none, use the +prefix"),
                    reason=error.args[0],
                )
            ) from error

    @api.model_create_multi
    def create(self, vals_list):
        Version = self.env["callgest.protocol.version"]
        for vals in vals_list:
            self._check_ring_seconds_value(vals, vals.get("number"))
            if "number" in vals:
                version = Version.browse(vals.get("version_id"))
                vals["number"] = self._normalize_number(vals["number"], version)
        return super().create(vals_list)

    def write(self, vals):
        for target in self:
            target._check_ring_seconds_value(vals, target.number)
        if "number" in vals:
            for target in self:
                version = target.version_id
                if vals.get("version_id"):
                    version = version.browse(vals["version_id"])
                super(CallgestProtocolTransferTarget, target).write(
                    dict(vals, number=self._normalize_number(vals["number"], version))
                )
            return True
        return super().write(vals)


class CallgestProtocolCallerEntry(models.Model):
    """A number or prefix on a version's VIP, white or black list."""

    _name = "callgest.protocol.caller.entry"
    _description = "CallGest protocol caller list entry"
    _order = "version_id, category, pattern, id"

    version_id = fields.Many2one(
        "callgest.protocol.version", required=True, index=True, ondelete="cascade"
    )
    pattern = fields.Char(
        required=True,
        help="A number in any written form or a prefix ending in *: "
        "+34600*, 0034 93*, 600* (national).",
    )
    category = fields.Selection(
        [("vip", "VIP"), ("whitelist", "Whitelist"), ("blacklist", "Blacklist")],
        required=True,
        default="vip",
    )
    reason = fields.Char()

    @api.constrains("pattern", "version_id")
    def _check_pattern(self):
        for entry in self:
            code = str(entry.version_id._country().phone_code or 34)
            try:
                routing.normalize_pattern(entry.pattern, code)
            except ValueError as error:
                raise ValidationError(
                    _(
                        "%(pattern)s is not a valid caller number or prefix: write "
                        "a number or a prefix ending in *, such as +34600*.",
                        pattern=entry.pattern,
                    )
                ) from error


class CallgestProtocolOnCallShift(models.Model):
    """Who is on call, from when to when (stored in UTC)."""

    _name = "callgest.protocol.on.call.shift"
    _description = "CallGest protocol on-call shift"
    _order = "version_id, start, id"

    version_id = fields.Many2one(
        "callgest.protocol.version", required=True, index=True, ondelete="cascade"
    )
    start = fields.Datetime(required=True)
    end = fields.Datetime(required=True)
    partner_id = fields.Many2one("res.partner", string="Person")
    name = fields.Char(help="Name of the person on call, without a contact.")
    phone = fields.Char(help="Phone of the person on call, if not the contact's.")

    @api.constrains("start", "end", "partner_id", "name")
    def _check_shift(self):
        for shift in self:
            if shift.start and shift.end and shift.end <= shift.start:
                raise ValidationError(_("An on-call shift must end after it starts."))
            if not shift.partner_id and not shift.name:
                raise ValidationError(
                    _("Choose the person on call or write their name.")
                )

    def _person_name(self):
        self.ensure_one()
        return self.partner_id.name or self.name or False

    def _person_phone(self):
        self.ensure_one()
        return self.phone or self.partner_id.mobile or self.partner_id.phone or False
