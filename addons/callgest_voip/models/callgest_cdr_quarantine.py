from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import cdr_parsers

QUARANTINE_STATES = [
    ("pending", "To review"),
    ("reprocessed", "Re-processed"),
    ("discarded", "Discarded"),
]


class CallgestCdrQuarantine(models.Model):
    """A PBX row that could not become (part of) a call, kept with why.

    A supervisor fixes the cause (the PBX's column mapping, a missing DDI or
    inbound route) and re-processes it; nothing is dropped silently.
    """

    _name = "callgest.cdr.quarantine"
    _description = "CallGest quarantined CDR row"
    _order = "batch_id desc, line_number"
    _rec_name = "reason"
    _check_company_auto = True

    pbx_id = fields.Many2one("callgest.pbx", string="PBX", required=True, readonly=True)
    batch_id = fields.Many2one(
        "callgest.cdr.batch", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    file_name = fields.Char(readonly=True)
    line_number = fields.Integer(readonly=True)
    raw_line = fields.Text(string="Raw text", readonly=True)
    raw_hash = fields.Char(readonly=True, index=True)
    reason = fields.Char(readonly=True)
    call_key = fields.Char(readonly=True, help="The call the row belongs to.")
    state = fields.Selection(
        QUARANTINE_STATES, required=True, default="pending", readonly=True
    )
    call_id = fields.Many2one("callgest.call", compute="_compute_call_id")

    _sql_constraints = [
        (
            "raw_hash_uniq",
            "unique(pbx_id, raw_hash)",
            "This row of this file is already in quarantine.",
        ),
    ]

    @api.depends("call_key", "pbx_id", "state")
    def _compute_call_id(self):
        keyed = self.filtered("call_key")
        calls = self.env["callgest.call"].search(
            [
                ("pbx_id", "in", keyed.pbx_id.ids),
                ("call_key", "in", keyed.mapped("call_key")),
            ]
        )
        by_key = {(call.pbx_id.id, call.call_key): call for call in calls}
        for row in self:
            row.call_id = by_key.get((row.pbx_id.id, row.call_key), False)

    def action_discard(self):
        self.filtered(lambda row: row.state == "pending").write({"state": "discarded"})

    def action_reprocess(self):
        """Read the pending rows again with the PBX's current settings.

        Rows that now become calls (or turn out to be in a call already) leave
        the quarantine; the others stay, with their reason refreshed.
        """
        pending = self.filtered(lambda row: row.state == "pending")
        if not pending:
            raise UserError(_("Select rows that are still to review."))
        moved = self.browse()
        for batch in pending.batch_id:
            rows = pending.filtered(lambda row, batch=batch: row.batch_id == batch)
            moved |= rows._reprocess_batch_rows(batch)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if moved else "warning",
                "message": _(
                    "%(moved)s of %(total)s rows re-processed; %(left)s stay in "
                    "quarantine with their reason.",
                    moved=len(moved),
                    total=len(pending),
                    left=len(pending) - len(moved),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _reprocess_batch_rows(self, batch):
        rows = self.sorted("line_number")
        data = "\n".join(row.raw_line or "" for row in rows).encode("utf-8")
        importer = self.env["callgest.cdr.importer"]
        if batch.file_kind == "queue_log":
            counts = importer._import_queue_log_lines(
                batch,
                data.split(b"\n"),
                1,
                line_numbers=rows.mapped("line_number"),
                reprocess=True,
            )
        else:
            options = batch.pbx_id._parse_options()
            if (
                not options.get("columns")
                and not options.get("mapping")
                and batch.detected_columns
            ):
                options["columns"] = batch.detected_columns.split(",")
            try:
                parsed = cdr_parsers.parse_cdr(data, **options)
            except cdr_parsers.CdrFormatError as error:
                raise UserError(str(error)) from error
            line_of = {index: row.line_number for index, row in enumerate(rows, 1)}
            renumbered = [
                parsed_row._replace(line_number=line_of[parsed_row.line_number])
                for parsed_row in parsed.rows + parsed.bad_rows
                if parsed_row.line_number in line_of
            ]
            consolidation = cdr_parsers.consolidate(renumbered)
            counts = importer._import_consolidation(
                batch, consolidation, reprocess=True
            )
        still_bad = counts.touched_hashes
        moved = rows.filtered(lambda row: row.raw_hash not in still_bad)
        moved.write({"state": "reprocessed"})
        batch.write(
            {
                "quarantined": batch.quarantined - len(moved),
                "rows_in_calls": batch.rows_in_calls + counts["rows_in_calls"],
                "duplicates": batch.duplicates + len(moved) - counts["rows_in_calls"],
                "calls_created": batch.calls_created + counts["calls_created"],
                "calls_updated": batch.calls_updated + counts["calls_updated"],
            }
        )
        return moved
