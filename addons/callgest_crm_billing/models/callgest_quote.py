from datetime import time
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize, format_amount

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.callgest_billing.tools import quote as quote_core
from odoo.addons.callgest_billing.tools import quote_sample, rating
from odoo.addons.callgest_voip.models.callgest_cdr_quarantine import translate_reason

SOURCES = [("sample", "Call records"), ("profile", "Profile")]
ORIGINS = [("wizard", "Salesman"), ("public", "Public quote page")]
SERVICE_LEVELS = [("level_1", "Level 1"), ("level_2", "Level 2")]
OUT_OF_HOURS = [
    (quote_core.ROBOT, "Robot (menus and messages)"),
    (quote_core.VOICEMAIL, "Voicemail, mailed to the client"),
]
TRANSFER_DESTINATIONS = [
    (rating.OUTBOUND_FIXED_DESTINATION, "Fixed line"),
    (rating.OUTBOUND_MOBILE_DESTINATION, "Mobile"),
]
# Profile fields of the quote -> the quote core's names (the share out of
# hours is a percentage here, a fraction there)
PROFILE_FIELDS = {
    "calls_per_day": "calls_per_day",
    "average_seconds": "average_seconds",
    "out_of_hours_percent": "share_out_of_hours",
    "messages_per_day": "messages_per_day",
    "transfers_per_day": "transfers_per_day",
    "average_transfer_seconds": "average_transfer_seconds",
    "professionals": "professionals",
    "ddis": "ddis",
    "agenda_modules": "agenda_modules",
}
# Calls explained on a quote: enough to show how a price is made
EXPLAINED_CALLS = 5
# Reasons of unreadable rows in the message of a file without calls
SHOWN_REASONS = 5
# A year of the service in the lead's expected revenue
EXPECTED_MONTHS = 12
# The public page's limits a day (ir.config_parameter overrides them)
PUBLIC_QUOTES_PER_IP = 10
PUBLIC_QUOTES_PER_EMAIL = 3


def figure(value):
    """A figure as the user wrote it: ``20`` rather than ``20.0``."""
    return int(value) if float(value).is_integer() else value


def float_time(hours):
    """An attendance's float hour (``8.5``, ``24.0``) as a ``time``."""
    if hours >= 24:
        return time(0)
    minutes = round(hours * 60)
    return time(minutes // 60, minutes % 60)


class CallgestQuote(models.Model):
    """A prospect's monthly estimate, from its own call records or from a
    profile, rated by the billing's core (``callgest_billing/tools``)."""

    _name = "callgest.quote"
    _description = "CallGest quote"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Opportunity",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    tariff_id = fields.Many2one(
        "callgest.tariff", required=True, ondelete="restrict", check_company=True
    )
    currency_id = fields.Many2one(related="tariff_id.currency_id", store=True)
    lang = fields.Char(
        string="Language", help="The prospect's language, in which it is written."
    )
    source = fields.Selection(SOURCES, required=True, default="sample")
    origin = fields.Selection(ORIGINS, required=True, default="wizard")
    request_ip = fields.Char(string="Requested from", readonly=True)
    request_email = fields.Char(readonly=True, index=True)

    service_level = fields.Selection(SERVICE_LEVELS, required=True, default="level_1")
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Opening hours",
        check_company=True,
        help="When the secretaries answer; calls outside these hours are quoted "
        "as the out-of-hours protocol handles them.",
    )
    tz = fields.Selection(_tz_get, string="Timezone", default="Europe/Madrid")
    out_of_hours = fields.Selection(
        OUT_OF_HOURS, string="Out of hours", required=True, default="robot"
    )
    ddis = fields.Integer(string="DDIs", default=1)
    agenda_modules = fields.Integer(help="Weekly half-day agenda modules.")
    professionals = fields.Integer(default=1)
    collective = fields.Boolean(
        help="A collective of professionals: its extra DDIs at the collective's rate."
    )
    own_sims = fields.Boolean(string="Own SIMs for transfers")

    # a profile
    calls_per_day = fields.Float(string="Calls a day")
    average_seconds = fields.Float(string="Average call (s)")
    out_of_hours_percent = fields.Float(string="Calls out of hours (%)")
    messages_per_day = fields.Float(string="Messages a day")
    transfers_per_day = fields.Float(string="Transfers a day")
    transfer_destination = fields.Selection(TRANSFER_DESTINATIONS, default="fixed")
    average_transfer_seconds = fields.Float(string="Average transfer (s)")

    # a sample
    file_name = fields.Char(readonly=True)
    sample_format = fields.Char(readonly=True)
    rows_in = fields.Integer(string="Rows read", readonly=True)
    calls_count = fields.Integer(string="Calls", readonly=True)
    duplicate_rows = fields.Integer(readonly=True)
    outbound_calls = fields.Integer(
        readonly=True,
        help="Calls the prospect's own staff made: not answered by a service, "
        "left out of the quote.",
    )
    bad_rows_count = fields.Integer(string="Unreadable rows", readonly=True)
    sample_first_day = fields.Date(readonly=True)
    sample_last_day = fields.Date(readonly=True)
    issue_ids = fields.One2many(
        "callgest.quote.issue", "quote_id", string="Rows not read", readonly=True
    )

    # the answer
    line_ids = fields.One2many(
        "callgest.quote.line", "quote_id", string="Breakdown", readonly=True
    )
    monthly_estimate = fields.Monetary(readonly=True)
    estimate_low = fields.Monetary(string="Quiet month (p10)", readonly=True)
    estimate_high = fields.Monetary(string="Busy month (p90)", readonly=True)
    setup_fee = fields.Monetary(readonly=True)
    deposit = fields.Monetary(readonly=True)
    explanations = fields.Text(string="Calls explained", readonly=True)

    _sql_constraints = [
        (
            "figures_not_negative",
            "CHECK(monthly_estimate >= 0 AND setup_fee >= 0 AND deposit >= 0)",
            "A quote's amounts cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("callgest.quote")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Quoting
    # ------------------------------------------------------------------
    @api.model
    def _callgest_quote(self, lead, values, sample=None):
        """Create the quote of ``lead`` from ``values`` (this model's fields:
        the tariff, options and, for a profile, its figures) and, for call
        records, ``sample`` (``{"data": bytes, "fmt": ..., "file_name": ...}``
        and the keyword arguments of ``quote_sample.read_sample``).

        Everything is checked and rated before anything is written: bad
        input raises a ``UserError`` and creates nothing. The lead's
        expected revenue is set from the quote."""
        values = dict(values, lead_id=lead.id, company_id=lead.company_id.id)
        values.setdefault("lang", lead.lang_id.code or lead.partner_id.lang)
        quote = self.new(values)
        if not quote.tariff_id:
            quote.tariff_id = self.env["callgest.tariff"]._default_for(
                lead.company_id or self.env.company
            )
            values["tariff_id"] = quote.tariff_id.id
        quote._callgest_check_options()
        if quote.source == "sample":
            if not sample:
                raise UserError(_("Choose the file of the prospect's call records."))
            values.update(quote._callgest_rate_sample(sample))
        else:
            values.update(quote._callgest_rate_profile())
        record = self.create(values)
        record._callgest_update_lead()
        return record

    def _callgest_check_options(self):
        self.ensure_one()
        for name in ("ddis", "agenda_modules", "professionals"):
            if self[name] < 0:
                raise ValidationError(
                    _(
                        "%(field)s cannot be negative.",
                        field=self._fields[name].get_description(self.env)["string"],
                    )
                )
        if self.ddis < 1:
            raise ValidationError(_("A client has at least one DDI."))
        limit = quote_core.PROFILE_LIMITS["ddis"][0]
        for name in ("ddis", "agenda_modules", "professionals"):
            if self[name] > limit:
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is more than %(limit)s, check the "
                        "figure.",
                        field=self._fields[name].get_description(self.env)["string"],
                        value=figure(self[name]),
                        limit=limit,
                    )
                )

    def _callgest_profile(self):
        """The profile's figures for the core, each checked with a message
        in the user's language naming the field."""
        self.ensure_one()
        profile = {}
        for name, core_name in PROFILE_FIELDS.items():
            label = self._fields[name].get_description(self.env)["string"]
            value = self[name]
            if value < 0:
                raise ValidationError(_("%(field)s cannot be negative.", field=label))
            limit = quote_core.PROFILE_LIMITS[core_name][0]
            if core_name == "share_out_of_hours":
                limit = 100  # a percentage here, a fraction in the core
            if value > limit:
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is more than %(limit)s, check the "
                        "figure.",
                        field=label,
                        value=figure(value),
                        limit=limit,
                    )
                )
            value = Decimal(str(value)) if isinstance(value, float) else value
            if core_name == "share_out_of_hours":
                value /= 100
            profile[core_name] = value
        if self.transfers_per_day and not self.average_transfer_seconds:
            raise ValidationError(
                _("Give the average length of a transfer, or no transfers.")
            )
        profile["transfer_destination"] = self.transfer_destination or "fixed"
        return profile

    def _callgest_opening_hours(self):
        """The opening hours for the core: the calendar's attendances and
        its closed days (leaves of the whole calendar), in the quote's
        timezone."""
        self.ensure_one()
        calendar = self.resource_calendar_id
        tz = self.tz or calendar.tz or "UTC"
        if not calendar:
            return None
        intervals = {}
        for attendance in calendar.attendance_ids:
            if attendance.display_type or attendance.day_period == "lunch":
                continue
            intervals.setdefault(int(attendance.dayofweek), []).append(
                (float_time(attendance.hour_from), float_time(attendance.hour_to))
            )
        holidays = set()
        for leave in calendar.global_leave_ids:
            day = fields.Date.to_date(leave.date_from)
            while day <= fields.Date.to_date(leave.date_to):
                holidays.add(day)
                day = fields.Date.add(day, days=1)
        return quote_core.OpeningHours(
            {day: tuple(sorted(spans)) for day, spans in intervals.items()},
            tz,
            frozenset(holidays),
        )

    def _callgest_core_options(self):
        self.ensure_one()
        client = self.lead_id.partner_id.with_company(self.company_id)
        cap = client.callgest_transfer_cap_seconds if client else 0
        return {
            "level": 2 if self.service_level == "level_2" else 1,
            "out_of_hours": self.out_of_hours,
            "collective": self.collective,
            "own_sims": self.own_sims,
            "transfer_cap": cap or rating.TRANSFER_CAP_SECONDS,
            "rounding": Decimal(str(self.currency_id.rounding)),
            "labels": self.env["callgest.usage"]
            .with_context(lang=self.lang or self.env.lang)
            ._callgest_explanation_labels(),
        }

    def _callgest_rate_sample(self, sample):
        self.ensure_one()
        sample = dict(sample)
        data = sample.pop("data", b"") or b""
        file_name = sample.pop("file_name", "") or ""
        if not data.strip():
            raise UserError(
                _(
                    "The file %(name)s is empty: it has no calls to quote.",
                    name=file_name,
                )
            )
        sample.setdefault("tz_name", self.tz or "UTC")
        try:
            read = quote_sample.read_sample(data, **sample)
        except quote_sample.SampleError as error:
            raise UserError(
                _(
                    "The file %(name)s cannot be quoted: %(error)s",
                    name=file_name,
                    error=self._callgest_reason(str(error)),
                )
            ) from error
        if not read.calls:
            reasons = "\n".join(
                _(
                    "Line %(line)s: %(reason)s",
                    line=row[0],
                    reason=self._callgest_reason(row[2]),
                )
                for row in read.bad_rows[:SHOWN_REASONS]
            )
            raise UserError(
                _(
                    "The file %(name)s has no call to quote: %(bad)s rows could "
                    "not be read, %(outbound)s calls were made by the prospect's "
                    "own staff.\n"
                    "%(reasons)s",
                    name=file_name,
                    bad=len(read.bad_rows),
                    outbound=read.outbound,
                    reasons=reasons,
                )
            )
        options = self._callgest_core_options()
        labels = options.pop("labels")
        try:
            result = quote_core.quote_calls(
                read.calls,
                self.tariff_id._to_rating(),
                hours=self._callgest_opening_hours(),
                ddis=self.ddis,
                agenda_modules=self.agenda_modules,
                explained=0,
                labels=labels,
                **options,
            )
            low, _median, high = quote_core.sample_range(result)
        except ValueError as error:
            raise UserError(self._callgest_reason(str(error))) from error
        values = self._callgest_answer(result, labels, low, high)
        values.update(
            {
                "file_name": file_name,
                "sample_format": read.fmt,
                "rows_in": read.rows_in,
                "calls_count": len(read.calls),
                "duplicate_rows": read.duplicates,
                "outbound_calls": read.outbound,
                "bad_rows_count": len(read.bad_rows),
                "sample_first_day": result.first_day,
                "sample_last_day": result.last_day,
                "issue_ids": [
                    (
                        0,
                        0,
                        {
                            "line_number": row[0],
                            "raw": row[1][:500],
                            "reason": row[2],
                        },
                    )
                    for row in read.bad_rows
                ],
            }
        )
        return values

    def _callgest_rate_profile(self):
        self.ensure_one()
        profile = self._callgest_profile()
        options = self._callgest_core_options()
        labels = options.pop("labels")
        try:
            result = quote_core.quote_profile(
                profile, self.tariff_id._to_rating(), **options
            )
            low, _median, high = quote_core.profile_range(result)
        except ValueError as error:
            raise UserError(self._callgest_reason(str(error))) from error
        return self._callgest_answer(result, labels, low, high)

    @api.model
    def _callgest_reason(self, reason):
        return translate_reason(self.env, reason)

    def _callgest_answer(self, result, labels, low, high):
        """The answer's values: the estimate and its breakdown, the range,
        the one-off fees and a few calls explained."""
        self.ensure_one()
        currency = self.currency_id
        month = result.estimate
        lines = []
        for sequence, usage in enumerate(quote_core.MONTH_USAGES):
            amount = month.amounts.get(usage)
            if amount:
                lines.append(
                    {"sequence": sequence, "usage": usage, "amount": float(amount)}
                )
        if month.top_up:
            lines.append(
                {
                    "sequence": len(quote_core.MONTH_USAGES),
                    "usage": rating.MINIMUM,
                    "amount": float(month.top_up),
                }
            )
        minimum_deposit = self._callgest_minimum_deposit()
        Usage = self.env["callgest.usage"].with_context(lang=self.lang or self.env.lang)
        # the first calls that cost something (a missed call explains nothing)
        explanations = [
            Usage._callgest_explain(call_lines, currency, labels)
            for call_lines in result.call_lines
            if call_lines
        ][:EXPLAINED_CALLS]
        return {
            "line_ids": [(0, 0, line) for line in lines],
            "monthly_estimate": float(month.total),
            "estimate_low": float(min(low, month.total)),
            "estimate_high": float(max(high, month.total)),
            "setup_fee": float(result.setup_fee),
            "deposit": float(max(month.total, minimum_deposit)),
            "explanations": "\n".join(explanations),
        }

    def _callgest_minimum_deposit(self):
        """The tariff's minimum deposit: its monthly minimum (the seed: "un
        mes de facturación, mínimo 60 €")."""
        self.ensure_one()
        rate = self.tariff_id.rate_ids.filtered(lambda r: r.usage == rating.MINIMUM)
        return Decimal(str(rate[:1].price or 0))

    def _callgest_update_lead(self):
        """The lead's expected revenue: a year of the estimate and the setup
        fee; its recurring revenue: the estimate, monthly."""
        for quote in self:
            lead = quote.lead_id
            currency = lead.company_currency or quote.currency_id
            today = fields.Date.context_today(quote)

            def convert(amount, quote=quote, currency=currency, today=today):
                return quote.currency_id._convert(
                    amount, currency, quote.company_id, today
                )

            values = {
                "callgest_quote_id": quote.id,
                "expected_revenue": convert(
                    quote.monthly_estimate * EXPECTED_MONTHS + quote.setup_fee
                ),
                "recurring_revenue": convert(quote.monthly_estimate),
            }
            plan = self.env.ref("crm.crm_recurring_plan_monthly", False)
            if plan:
                values["recurring_plan"] = plan.id
            lead.write(values)
            lead.message_post(
                body=_(
                    "Quote %(quote)s: %(estimate)s a month (from %(low)s to "
                    "%(high)s), setup fee %(setup)s, deposit %(deposit)s.",
                    quote=quote.name,
                    estimate=format_amount(
                        self.env, quote.monthly_estimate, quote.currency_id
                    ),
                    low=format_amount(self.env, quote.estimate_low, quote.currency_id),
                    high=format_amount(
                        self.env, quote.estimate_high, quote.currency_id
                    ),
                    setup=format_amount(self.env, quote.setup_fee, quote.currency_id),
                    deposit=format_amount(self.env, quote.deposit, quote.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print(self):
        return self.env.ref(
            "callgest_crm_billing.action_report_callgest_quote"
        ).report_action(self)

    def action_send(self):
        """The mail composer on the lead, with the quote's template: the PDF
        of the lead's current quote, in the prospect's language."""
        self.ensure_one()
        if self.lead_id.callgest_quote_id != self:
            self.lead_id.callgest_quote_id = self
        return self.lead_id.action_callgest_send_quote()

    # ------------------------------------------------------------------
    # The public quote page
    # ------------------------------------------------------------------
    @api.model
    def _callgest_public_limits(self):
        Param = self.env["ir.config_parameter"].sudo()

        def limit(key, default):
            value = Param.get_param(f"callgest_crm_billing.{key}", "")
            return int(value) if value.strip().isdigit() else default

        return (
            limit("public_quotes_per_ip", PUBLIC_QUOTES_PER_IP),
            limit("public_quotes_per_email", PUBLIC_QUOTES_PER_EMAIL),
        )

    @api.model
    def _callgest_check_public_flood(self, email, ip):
        """Count this request and refuse it beyond the day's limits per
        email and per IP address (see ``callgest.quote.request``: requests
        at the same moment are counted one after the other)."""
        per_ip, per_email = self._callgest_public_limits()
        Request = self.env["callgest.quote.request"].sudo()
        if Request._callgest_count(f"email:{email}") > per_email:
            raise UserError(
                _(
                    "%(email)s already asked for %(count)s quotes today: we will "
                    "call you, or ask for more tomorrow.",
                    email=email,
                    count=per_email,
                )
            )
        if ip and Request._callgest_count(f"ip:{ip}") > per_ip:
            raise UserError(
                _(
                    "Too many quotes were asked from your connection today: try "
                    "again tomorrow, or call us."
                )
            )

    @api.model
    def _callgest_public_quote(self, contact, profile, ip=None, lang=None):
        """The public page's quote: ``contact`` (name, company, email, phone)
        and ``profile`` (this model's option and profile fields) checked,
        within the day's limits, then a lead and its quote created together,
        or nothing. Runs as superuser: the page has no user."""
        email = email_normalize(contact.get("email") or "")
        name = (contact.get("name") or "").strip()
        if not name or not email:
            raise UserError(_("Give your name and a valid email address."))
        company = self.env.company
        Lead = self.env["crm.lead"].sudo().with_company(company)
        partner_name = (contact.get("company") or "").strip()
        lead_values = {
            "name": _("Quote request: %(who)s", who=partner_name or name),
            "contact_name": name,
            "partner_name": partner_name,
            "email_from": email,
            "phone": (contact.get("phone") or "").strip(),
            "type": "opportunity",
            "company_id": company.id,
            "user_id": False,
        }
        language = self.env["res.lang"]._lang_get(lang) if lang else False
        if language:
            lead_values["lang_id"] = language.id
        # a refused or bad request counts for nothing and creates nothing
        with self.env.cr.savepoint():
            self._callgest_check_public_flood(email, ip)
            lead = Lead.create(lead_values)
            quote = (
                self.sudo()
                .with_company(company)
                ._callgest_quote(
                    lead,
                    dict(
                        profile,
                        source="profile",
                        origin="public",
                        request_ip=ip,
                        request_email=email,
                        lang=lang or self.env.lang,
                    ),
                )
            )
        return quote
