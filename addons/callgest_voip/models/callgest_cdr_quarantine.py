import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from ..tools import cdr_parsers

_lt = LazyTranslate(__name__)

# The reasons the parsers (plain Python) and the importer store, in English,
# and how to say them in the reader's language: each pattern's named groups
# are the message's placeholders; an "error" group is itself a reason.
# Several refusals of one row are joined by "; ".
_REASONS = [
    (r"empty line", _lt("Empty line")),
    (
        r"unreadable CSV: unterminated quoted field",
        _lt("Unreadable CSV: a quoted field is not closed"),
    ),
    (
        r"truncated line: (?P<got>\d+) fields, expected 5 or more",
        _lt("Truncated line: %(got)s fields, at least 5 expected"),
    ),
    (r"unreadable CSV: (?P<error>.*)", _lt("Unreadable CSV: %(error)s")),
    (r"unrecognised line: (?P<error>.*)", _lt("Unrecognised line: %(error)s")),
    (
        r"truncated line: (?P<got>\d+) (?:columns|fields), expected (?P<want>.+)",
        _lt("Truncated line: %(got)s columns, expected %(want)s"),
    ),
    (
        r"too long line: (?P<got>\d+) columns, expected (?P<want>\d+)",
        _lt("Line too long: %(got)s columns, expected %(want)s"),
    ),
    (r"empty (?P<name>\w+)", _lt("Empty %(name)s")),
    (
        r"(?P<name>.+) is not an integer: (?P<value>.*)",
        _lt("%(name)s is not a whole number: %(value)s"),
    ),
    (r"negative (?P<name>\w+): (?P<value>.*)", _lt("Negative %(name)s: %(value)s")),
    (r"bad (?P<name>\w+) date: (?P<value>.*)", _lt("Bad %(name)s date: %(value)s")),
    (
        r"(?P<name>\w+) (?P<value>.+) does not exist in (?P<tz>\S+) \(DST gap\)",
        _lt(
            "%(name)s %(value)s does not exist in %(tz)s: the hour skipped when "
            "the clocks go forward (DST gap)"
        ),
    ),
    (r"unknown disposition (?P<value>.*)", _lt("Unknown disposition %(value)s")),
    (r"end before start", _lt("The end is before the start")),
    (r"answer outside start\.\.end", _lt("The answer time is outside the call")),
    (
        r"billsec (?P<talk>\d+) greater than duration (?P<duration>\d+)",
        _lt("Talk time %(talk)s s is longer than the duration %(duration)s s"),
    ),
    (r"no (?P<name>\w+) column", _lt("No %(name)s column")),
    (
        r"Cannot detect the (?P<fmt>\S+) format of a line with (?P<count>\d+) "
        r"columns.*",
        _lt(
            "Cannot tell the %(fmt)s format of a line of %(count)s columns: set "
            "the PBX's system, column order or column mapping"
        ),
    ),
    (
        r"(?P<count>\d+) columns but no start/end dates and duration where the "
        r"default (?P<fmt>\S+) order has them.*",
        _lt(
            "%(count)s columns, but no start and end dates and duration where the "
            "default %(fmt)s order has them: a custom order? Write it in the "
            "PBX's column order, or export a header line"
        ),
    ),
    (r"bad epoch: (?P<value>.*)", _lt("Bad timestamp: %(value)s")),
    (r"unknown event (?P<value>.*)", _lt("Unknown queue_log event %(value)s")),
    (r"(?P<name>\w+) without a callid", _lt("%(name)s without a call id")),
    (
        r"missing fields for (?P<name>\w+): (?P<got>\d+) data fields, "
        r"expected (?P<want>\d+)",
        _lt("%(name)s has %(got)s data fields, %(want)s expected"),
    ),
    (
        r"Unknown DDI (?P<number>.*): no DDI, inbound route or client code "
        r"matches the call",
        _lt(
            "Unknown DDI %(number)s: no DDI, inbound route or client code matches "
            "the call"
        ),
    ),
    (
        r"DDI (?P<number>\S+) was released on (?P<date>\S+), before the call",
        _lt("DDI %(number)s was released on %(date)s, before the call"),
    ),
    (
        r"DDI (?P<number>\S+) is not in service \((?P<state>\w+)\)",
        _lt("DDI %(number)s is not in service (%(state)s)"),
    ),
    (r"DDI (?P<number>\S+) has no client", _lt("DDI %(number)s has no client")),
    # a prospect's call records read for a quote (callgest_billing's quote_sample)
    (
        r"unfinished call: no end in the file",
        _lt("Unfinished call: its end is not in the file"),
    ),
    (r"Unknown sample format (?P<value>.*)", _lt("Unknown file format %(value)s")),
    (r"Unknown timezone (?P<value>.*)", _lt("Unknown timezone %(value)s")),
]
_REASON_PATTERNS = [
    (re.compile(pattern + "$", re.DOTALL), message) for pattern, message in _REASONS
]


def translate_reason(env, reason):
    """A stored (English) reason in the language of ``env``."""
    parts = []
    for part in (reason or "").split("; "):
        for pattern, message in _REASON_PATTERNS:
            match = pattern.match(part)
            if match:
                params = match.groupdict()
                if "error" in params:
                    params["error"] = translate_reason(env, params["error"])
                parts.append(message._translate(env.lang) % params)
                break
        else:
            parts.append(part)
    return "; ".join(parts)


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
    reason = fields.Char(
        readonly=True, help="Why the row was kept, as stored (in English)."
    )
    reason_display = fields.Char(
        string="Why", compute="_compute_reason_display", help="Why the row was kept."
    )
    call_key = fields.Char(
        readonly=True, index=True, help="The call the row belongs to."
    )
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

    @api.depends("reason")
    @api.depends_context("lang")
    def _compute_reason_display(self):
        for row in self:
            row.reason_display = translate_reason(self.env, row.reason)

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
        busy = tuple(self.env.context.get("callgest_rejoining", ())) + tuple(rows.ids)
        importer = self.env["callgest.cdr.importer"].with_context(
            callgest_rejoining=busy
        )
        if batch.file_kind == "queue_log":
            counts = importer._import_queue_log_lines(
                batch,
                data.split(b"\n"),
                1,
                line_numbers=rows.mapped("line_number"),
                reprocess=True,
            )
        else:
            options = batch._parse_options()
            try:
                parsed = cdr_parsers.parse_cdr(data, **options)
            except cdr_parsers.CdrFormatError as error:
                raise UserError(translate_reason(self.env, str(error))) from error
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
