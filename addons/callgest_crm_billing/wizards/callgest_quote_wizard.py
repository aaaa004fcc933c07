import base64
import binascii

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get

from ..models.callgest_quote import (
    OUT_OF_HOURS,
    PROFILE_FIELDS,
    SERVICE_LEVELS,
    SOURCES,
    TRANSFER_DESTINATIONS,
)

SAMPLE_FORMATS = [
    ("auto", "Detect it"),
    ("asterisk", "Asterisk (cdr_csv)"),
    ("freeswitch", "FreeSWITCH (mod_cdr_csv)"),
    ("queue_log", "Asterisk queue_log"),
    ("plain", "Date, time and duration (CSV)"),
    ("pbx", "As one of our PBXs reads it"),
]
# the options of the quote copied from the wizard as they are
QUOTE_OPTIONS = (
    "source",
    "tariff_id",
    "service_level",
    "resource_calendar_id",
    "tz",
    "out_of_hours",
    "ddis",
    "agenda_modules",
    "professionals",
    "collective",
    "own_sims",
)


class CallgestQuoteWizard(models.TransientModel):
    """Quote an opportunity from the prospect's call records or a profile."""

    _name = "callgest.quote.wizard"
    _description = "CallGest quote wizard"
    _check_company_auto = True

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id")
    source = fields.Selection(SOURCES, required=True, default="sample")

    sample_file = fields.Binary(string="Call records", attachment=False)
    sample_file_name = fields.Char(string="File name")
    sample_format = fields.Selection(
        SAMPLE_FORMATS, string="Format", required=True, default="auto"
    )
    pbx_id = fields.Many2one(
        "callgest.pbx",
        string="Read as PBX",
        check_company=True,
        help="A PBX of ours whose system, column order or mapping and timezone "
        "describe the file.",
    )
    column_order = fields.Char(
        help="The file's columns in order, comma separated (src,dst,start,...), "
        "for an export with a custom template and no header line."
    )

    tariff_id = fields.Many2one(
        "callgest.tariff",
        required=True,
        check_company=True,
        default=lambda self: self._default_tariff(),
        domain="[('company_id', 'in', (False, company_id))]",
    )
    service_level = fields.Selection(SERVICE_LEVELS, required=True, default="level_1")
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Opening hours",
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="When the secretaries answer. Without hours, every call is answered "
        "by a secretary.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Timezone",
        required=True,
        default=lambda self: self.env.user.tz or "Europe/Madrid",
        help="The timezone of the file's times and of the opening hours.",
    )
    out_of_hours = fields.Selection(
        OUT_OF_HOURS, string="Out of hours", required=True, default="robot"
    )
    ddis = fields.Integer(string="DDIs", default=1, required=True)
    agenda_modules = fields.Integer(help="Weekly half-day agenda modules.")
    professionals = fields.Integer(default=1)
    collective = fields.Boolean(
        help="A collective of professionals: one DDI each, the extra DDIs at the "
        "collective's rate."
    )
    own_sims = fields.Boolean(string="Own SIMs for transfers")

    calls_per_day = fields.Float(string="Calls a day")
    average_seconds = fields.Float(string="Average call (s)", default=120)
    out_of_hours_percent = fields.Float(string="Calls out of hours (%)")
    messages_per_day = fields.Float(string="Messages a day")
    transfers_per_day = fields.Float(string="Transfers a day")
    transfer_destination = fields.Selection(TRANSFER_DESTINATIONS, default="fixed")
    average_transfer_seconds = fields.Float(string="Average transfer (s)")

    @api.model
    def _default_tariff(self):
        return self.env["callgest.tariff"]._find_default(self.env.company)

    @api.onchange("lead_id")
    def _onchange_lead_id(self):
        client = self.lead_id.partner_id.commercial_partner_id
        if client and "callgest_service_level" in client._fields:
            self.service_level = client.callgest_service_level or "level_1"
        if client.tz:
            self.tz = client.tz

    @api.onchange("professionals", "collective")
    def _onchange_professionals(self):
        if self.collective and self.professionals > self.ddis:
            self.ddis = self.professionals

    def _quote_values(self):
        self.ensure_one()
        values = {name: self[name] for name in QUOTE_OPTIONS}
        values["tariff_id"] = self.tariff_id.id
        values["resource_calendar_id"] = self.resource_calendar_id.id
        values["transfer_destination"] = self.transfer_destination
        if self.source == "profile":
            values.update({name: self[name] for name in PROFILE_FIELDS})
        return values

    def _sample(self):
        """The file and how to read it, for ``callgest.quote``."""
        self.ensure_one()
        if not self.sample_file:
            raise UserError(_("Choose the file of the prospect's call records."))
        try:
            data = base64.b64decode(self.sample_file, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UserError(_("The file could not be read: it is damaged.")) from error
        sample = {"data": data, "file_name": self.sample_file_name or ""}
        if self.sample_format == "pbx":
            if not self.pbx_id:
                raise UserError(_("Choose the PBX whose settings read the file."))
            options = self.pbx_id._parse_options()
            sample.update(options)
            sample["region"] = self.pbx_id.country_id.code or None
        else:
            sample["fmt"] = self.sample_format
            sample["tz_name"] = self.tz
            if self.column_order:
                sample["columns"] = [
                    name.strip().lower()
                    for name in self.column_order.split(",")
                    if name.strip()
                ]
            sample["region"] = self.company_id.country_id.code or None
        return sample

    def action_quote(self):
        self.ensure_one()
        sample = self._sample() if self.source == "sample" else None
        quote = self.env["callgest.quote"]._callgest_quote(
            self.lead_id, self._quote_values(), sample
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "callgest.quote",
            "res_id": quote.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
