import base64

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.callgest_cdr_batch import FILE_KINDS
from ..models.callgest_cdr_importer import DdiDirectory
from ..models.callgest_cdr_quarantine import translate_reason
from ..tools import cdr_parsers, queue_log

# Lines read for the preview of a large file
PREVIEW_LINES = 5000
PREVIEW_ROWS = 15


class CallgestCdrImportWizard(models.TransientModel):
    """Upload a PBX export: a preview first, then the import's summary."""

    _name = "callgest.cdr.import.wizard"
    _description = "CallGest CDR import"

    pbx_id = fields.Many2one(
        "callgest.pbx",
        string="PBX",
        required=True,
        default=lambda self: self.env["callgest.pbx"].search([], limit=1),
    )
    file_kind = fields.Selection(FILE_KINDS, required=True, default="cdr")
    data_file = fields.Binary(string="File", required=True)
    file_name = fields.Char()
    step = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview")], default="upload"
    )
    preview_html = fields.Html(readonly=True, sanitize=False)
    preview_partial = fields.Boolean(readonly=True)

    @api.onchange("data_file", "pbx_id", "file_kind")
    def _onchange_reset_preview(self):
        self.step = "upload"
        self.preview_html = False

    def _data(self):
        self.ensure_one()
        if not self.data_file:
            raise UserError(_("Choose a file to import."))
        data = base64.b64decode(self.data_file)
        if not data.strip():
            raise UserError(_("The file %(name)s is empty.", name=self.file_name or ""))
        return data

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Import call records"),
        }

    def action_preview(self):
        self.ensure_one()
        data = self._data()
        lines = data.split(b"\n")
        partial = len(lines) > PREVIEW_LINES + 1
        sample = b"\n".join(lines[:PREVIEW_LINES])
        if self.file_kind == "queue_log":
            html = self._preview_queue_log(sample)
        else:
            html = self._preview_cdr(sample)
        self.write(
            {"step": "preview", "preview_html": html, "preview_partial": partial}
        )
        return self._reopen()

    def _preview_cdr(self, sample):
        try:
            parsed = cdr_parsers.parse_cdr(sample, **self.pbx_id._parse_options())
        except cdr_parsers.CdrFormatError as error:
            raise UserError(
                _(
                    "This file cannot be read with the settings of %(pbx)s: %(error)s",
                    pbx=self.pbx_id.display_name,
                    error=translate_reason(self.env, str(error)),
                )
            ) from error
        result = cdr_parsers.consolidate(parsed.rows + parsed.bad_rows)
        batch = self.env["callgest.cdr.batch"].new({"pbx_id": self.pbx_id.id})
        importer = self.env["callgest.cdr.importer"]
        directory = DdiDirectory(self.env, self.pbx_id)
        context = importer._context_maps(self.pbx_id, batch)
        refused = {}
        for call in result.calls:
            _values, reason = importer._call_values(call, directory, context)
            if reason:
                refused[call.key] = translate_reason(self.env, reason)
        summary = _(
            "Format %(fmt)s, %(rows)s rows: %(calls)s calls (%(refused)s of them "
            "would go to quarantine), %(dups)s duplicate rows, %(bad)s unreadable "
            "rows.",
            fmt=parsed.fmt,
            rows=result.rows_in,
            calls=len(result.calls),
            refused=len(refused),
            dups=result.duplicates,
            bad=result.quarantined,
        )
        headers = [
            _("Start (UTC)"),
            _("Caller"),
            _("Called"),
            _("Disposition"),
            _("Wait (s)"),
            _("Talk (s)"),
            _("Rows"),
            _("Problem"),
        ]
        dispositions = dict(
            self.env["callgest.call"]
            ._fields["disposition"]
            ._description_selection(self.env)
        )
        body = [
            [
                call.start,
                call.caller,
                call.called,
                dispositions.get(call.disposition, call.disposition),
                call.wait_seconds if call.wait_seconds is not None else "",
                call.billsec,
                len(call.legs) + len(call.duplicates),
                refused.get(call.key, ""),
            ]
            for call in result.calls[:PREVIEW_ROWS]
        ]
        bad_table = [
            [row.line_number, translate_reason(self.env, row.reason), row.raw[:120]]
            for row in result.bad_rows[:PREVIEW_ROWS]
        ]
        return self._render(
            summary,
            headers,
            body,
            [_("Line"), _("Reason"), _("Raw text")],
            bad_table,
        )

    def _preview_queue_log(self, sample):
        parsed = queue_log.parse_queue_log(sample)
        summary = _(
            "%(rows)s queue_log lines: %(calls)s calls, %(dups)s duplicate lines, "
            "%(bad)s unreadable lines, %(other)s agent and queue events.",
            rows=parsed.rows_in,
            calls=len(parsed.calls),
            dups=parsed.duplicates,
            bad=parsed.quarantined,
            other=parsed.non_call_events,
        )
        body = [
            [
                qcall.enter,
                qcall.queue,
                qcall.caller,
                qcall.outcome,
                qcall.wait_seconds if qcall.wait_seconds is not None else "",
                qcall.talk_seconds if qcall.talk_seconds is not None else "",
                qcall.agent,
            ]
            for qcall in parsed.calls[:PREVIEW_ROWS]
        ]
        headers = [
            _("Entered (UTC)"),
            _("Queue"),
            _("Caller"),
            _("Outcome"),
            _("Wait (s)"),
            _("Talk (s)"),
            _("Agent"),
        ]
        bad_table = [
            [row.line_number, translate_reason(self.env, row.reason), row.raw[:120]]
            for row in parsed.bad_rows[:PREVIEW_ROWS]
        ]
        return self._render(
            summary, headers, body, [_("Line"), _("Reason"), _("Raw text")], bad_table
        )

    @staticmethod
    def _html_table(headers, rows):
        head = Markup("").join(Markup("<th>%s</th>") % header for header in headers)
        body = Markup("").join(
            Markup("<tr>%s</tr>")
            % Markup("").join(Markup("<td>%s</td>") % escape(value) for value in row)
            for row in rows
        )
        return Markup(
            '<table class="table table-sm o_callgest_preview">'
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (head, body)

    def _render(self, summary, headers, rows, bad_headers, bad_rows):
        html = Markup("<p>%s</p>") % summary
        html += self._html_table(headers, rows)
        if bad_rows:
            html += Markup("<h5>%s</h5>") % _("Rows that will be quarantined")
            html += self._html_table(bad_headers, bad_rows)
        return html

    def action_import(self):
        self.ensure_one()
        data = self._data()
        batch = self.env["callgest.cdr.batch"]._create_from_bytes(
            self.pbx_id,
            self.file_name or _("upload.csv"),
            data,
            origin="upload",
            file_kind=self.file_kind,
        )
        try:
            batch._run_or_queue()
        except cdr_parsers.CdrFormatError as error:
            raise UserError(translate_reason(self.env, str(error))) from error
        return {
            "type": "ir.actions.act_window",
            "res_model": "callgest.cdr.batch",
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
