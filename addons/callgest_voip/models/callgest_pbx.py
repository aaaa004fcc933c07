from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import cdr_parsers

PBX_SYSTEMS = [
    ("asterisk", "Asterisk (cdr_csv)"),
    ("freeswitch", "FreeSWITCH (mod_cdr_csv)"),
    ("generic", "Generic CSV with a column mapping"),
]


class CallgestPbx(models.Model):
    """A PBX whose call records are imported, with how to read them."""

    _name = "callgest.pbx"
    _description = "CallGest PBX"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short identifier the PBX bridge sends with each push, e.g. 'main'.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    system = fields.Selection(
        PBX_SYSTEMS, required=True, default="asterisk", tracking=True
    )
    timezone = fields.Selection(
        _tz_get,
        required=True,
        default="Europe/Madrid",
        tracking=True,
        help="The PBX writes its records in this local time; they are stored in UTC.",
    )
    country_id = fields.Many2one(
        "res.country",
        default=lambda self: self.env.company.country_id,
        help="Country of the numbers the PBX writes in national format.",
    )
    column_order = fields.Char(
        tracking=True,
        help="A custom column order, comma-separated, e.g. 'clid,src,dst,"
        "dcontext,channel,...'. Leave empty to detect the standard layouts "
        "from the column count or a header line.",
    )
    column_ids = fields.One2many(
        "callgest.pbx.column",
        "pbx_id",
        string="Column mapping",
        help="For the generic format: which column holds each value.",
    )
    extension_ids = fields.One2many(
        "callgest.pbx.extension", "pbx_id", string="Agent extensions"
    )
    route_ids = fields.One2many(
        "callgest.pbx.route",
        "pbx_id",
        string="Inbound routes",
        help="Numbers or queue names as the PBX writes them that stand for a "
        "DDI (when the PBX does not write the DDI itself).",
    )
    recording_url_template = fields.Char(
        help="Link to a call's recording, with {uniqueid} and {linkedid}, "
        "e.g. https://pbx.example.com/recordings/{uniqueid}.wav",
    )
    batch_ids = fields.One2many("callgest.cdr.batch", "pbx_id")
    batch_count = fields.Integer(compute="_compute_batch_count")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "Another PBX already has this code."),
    ]

    @api.depends("batch_ids")
    def _compute_batch_count(self):
        counts = dict(
            self.env["callgest.cdr.batch"]._read_group(
                [("pbx_id", "in", self.ids)], ["pbx_id"], ["__count"]
            )
        )
        for pbx in self:
            pbx.batch_count = counts.get(pbx, 0)

    @api.constrains("column_order")
    def _check_column_order(self):
        for pbx in self.filtered("column_order"):
            names = pbx._column_order_names()
            unknown = [name for name in names if name not in cdr_parsers.KNOWN_COLUMNS]
            missing = [
                name for name in cdr_parsers.REQUIRED_COLUMNS if name not in names
            ]
            if unknown or missing:
                raise ValidationError(
                    _(
                        "The column order of %(pbx)s is not usable. Unknown "
                        "columns: %(unknown)s. Missing columns: %(missing)s.",
                        pbx=pbx.display_name,
                        unknown=", ".join(unknown) or "-",
                        missing=", ".join(missing) or "-",
                    )
                )

    @api.constrains("system", "column_ids")
    def _check_generic_mapping(self):
        for pbx in self.filtered(lambda pbx: pbx.system == "generic"):
            mapped = set(pbx.column_ids.mapped("field_name"))
            missing = [
                name for name in cdr_parsers.REQUIRED_COLUMNS if name not in mapped
            ]
            if missing:
                raise ValidationError(
                    _(
                        "The generic format of %(pbx)s needs a column for: "
                        "%(missing)s.",
                        pbx=pbx.display_name,
                        missing=", ".join(missing),
                    )
                )

    def _column_order_names(self):
        self.ensure_one()
        return [
            name.strip().lower()
            for name in (self.column_order or "").split(",")
            if name.strip()
        ]

    def _parse_options(self):
        """Keyword arguments of ``cdr_parsers.parse_cdr`` for this PBX."""
        self.ensure_one()
        options = {"tz_name": self.timezone or "UTC"}
        if self.system == "generic":
            options["fmt"] = cdr_parsers.GENERIC
            options["mapping"] = {
                column.field_name: column._source() for column in self.column_ids
            }
        else:
            options["fmt"] = self.system
            if self.column_order:
                options["columns"] = self._column_order_names()
        return options

    def _find_by_code(self, code):
        pbx = self.search([("code", "=", code)], limit=1)
        if not pbx:
            raise ValidationError(
                _("There is no active PBX with the code %(code)s.", code=code)
            )
        return pbx

    def action_open_batches(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_voip.callgest_cdr_batch_action"
        )
        action["domain"] = [("pbx_id", "=", self.id)]
        action["context"] = {"default_pbx_id": self.id}
        return action

    def _load_demo_calls(self, calls_per_weekday=18, seed=2026):
        """Demo data: generated calls of the previous month and of this one
        up to now, on the active DDIs, imported through the real importer
        (one batch per month), so that calls, batches, quality reports and
        billing have something to show.
        """
        # here, not at the top: only demo data needs these
        from datetime import timedelta

        from ..tools import cdr_generator

        Batch = self.env["callgest.cdr.batch"]
        for pbx in self:
            ddis = self.env["callgest.ddi"].search(
                [("state", "=", "active"), ("company_id", "=", pbx.company_id.id)],
                order="id",
            )
            home_region = pbx.country_id.code
            # the PBX writes its own country's numbers in national form, the
            # others as international digits
            numbers = [
                ddi.national_digits
                if ddi.number_region == home_region
                else ddi.number_digits
                for ddi in ddis
                if ddi.national_digits and ddi.number_digits
            ]
            if not numbers:
                continue
            now = fields.Datetime.context_timestamp(
                self.with_context(tz=pbx.timezone or "UTC"), fields.Datetime.now()
            ).replace(tzinfo=None, microsecond=0)
            this_month = now.replace(day=1, hour=0, minute=0, second=0)
            last_month = (this_month - timedelta(days=1)).replace(day=1)
            for index, (start, end) in enumerate(
                ((last_month, this_month), (this_month, now))
            ):
                weekdays = sum(
                    1
                    for day in range((end - start).days + 1)
                    if (start + timedelta(days=day)).weekday() < 5
                    and start + timedelta(days=day) < end
                )
                calls = calls_per_weekday * weekdays
                if not calls:
                    continue
                generated = cdr_generator.generate_cdr(
                    numbers,
                    start,
                    end,
                    calls=calls,
                    seed=seed + index,
                    caller_pool_size=max(20, calls // 3),
                    tz_name=pbx.timezone or "UTC",
                )
                batch = Batch._create_from_bytes(
                    pbx, f"Master-{start:%Y-%m}.csv", generated.data
                )
                batch._process()
        return True
