import base64
import binascii
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.callgest_base.tools import rpc_args
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import ENQUEUED, PENDING, STARTED, WAIT_DEPENDENCIES

from ..tools import cdr_parsers
from .callgest_cdr_importer import ImportCounts
from .callgest_cdr_quarantine import translate_reason

_logger = logging.getLogger(__name__)

BATCH_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
FILE_KINDS = [("cdr", "Call records (CDR)"), ("queue_log", "Asterisk queue_log")]
# Files up to this many lines import at once; larger ones in the background
DEFAULT_SYNC_LINES = 20000
DEFAULT_CHUNK_LINES = 20000
# chunks one queue job imports in one transaction (the next job, the next ones)
DEFAULT_JOB_CHUNKS = 5
# retries of a job on a lock or a serialization failure (pattern in its data)
JOB_MAX_RETRIES = 10
# the states of a queue job that will still run
JOB_ACTIVE_STATES = (WAIT_DEPENDENCIES, PENDING, ENQUEUED, STARTED)
# storing a batch's file again after a filestore collision (see _create_from_bytes)
ATTACHMENT_ATTEMPTS = 5


class CallgestCdrBatch(models.Model):
    """One imported file (or one push of the PBX bridge) and what became of it.

    Large files are imported by queue jobs (channel ``root.callgest.cdr``),
    one job per slice of lines, each slice committed with the progress it
    made and the job of the next slice: a worker killed midway rolls its
    slice back, the job runs again from where the last commit left it, and
    since every call is unique by its key the result is the one of a single
    clean run.
    """

    _name = "callgest.cdr.batch"
    _description = "CallGest CDR import batch"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    pbx_id = fields.Many2one(
        "callgest.pbx", string="PBX", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one(related="pbx_id.company_id", store=True)
    file_kind = fields.Selection(FILE_KINDS, required=True, default="cdr")
    origin = fields.Selection(
        [("upload", "Upload"), ("rpc", "PBX push")], required=True, default="upload"
    )
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", readonly=True)
    first_line = fields.Integer(
        default=1,
        readonly=True,
        help="Line number, in the PBX's file, of the batch's first line.",
    )
    header_line = fields.Char(
        readonly=True, help="Line 1 of the PBX's file, when the batch starts later."
    )
    state = fields.Selection(
        BATCH_STATES, required=True, default="queued", readonly=True, tracking=True
    )
    line_count = fields.Integer(readonly=True)
    lines_done = fields.Integer(readonly=True)
    progress = fields.Float(compute="_compute_progress")
    rows_in = fields.Integer(readonly=True)
    rows_in_calls = fields.Integer(readonly=True)
    calls_created = fields.Integer(readonly=True)
    calls_updated = fields.Integer(readonly=True)
    duplicates = fields.Integer(readonly=True)
    quarantined = fields.Integer(readonly=True)
    non_call_events = fields.Integer(
        readonly=True, help="queue_log lines about agents and queues, not calls."
    )
    counts_consistent = fields.Boolean(compute="_compute_counts_consistent")
    detected_format = fields.Char(readonly=True)
    detected_columns = fields.Char(readonly=True)
    error_message = fields.Text(readonly=True)
    date_done = fields.Datetime(readonly=True)
    call_ids = fields.One2many("callgest.call", "batch_id", readonly=True)
    quarantine_ids = fields.One2many(
        "callgest.cdr.quarantine", "batch_id", readonly=True
    )
    quarantine_pending_count = fields.Integer(compute="_compute_quarantine_count")
    job_ids = fields.One2many(
        "queue.job", "callgest_cdr_batch_id", string="Jobs", readonly=True
    )
    job_count = fields.Integer(compute="_compute_job_count")

    @api.depends("lines_done", "line_count")
    def _compute_progress(self):
        for batch in self:
            batch.progress = (
                100.0 * batch.lines_done / batch.line_count if batch.line_count else 0.0
            )

    @api.depends(*ImportCounts.KEYS)
    def _compute_counts_consistent(self):
        for batch in self:
            batch.counts_consistent = batch.rows_in == (
                batch.rows_in_calls
                + batch.duplicates
                + batch.quarantined
                + batch.non_call_events
            )

    @api.depends("quarantine_ids.state")
    def _compute_quarantine_count(self):
        counts = dict(
            self.env["callgest.cdr.quarantine"]._read_group(
                [("batch_id", "in", self.ids), ("state", "=", "pending")],
                ["batch_id"],
                ["__count"],
            )
        )
        for batch in self:
            batch.quarantine_pending_count = counts.get(batch, 0)

    def _compute_job_count(self):
        # the jobs are the queue managers'; their count is for every reader
        counts = dict(
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [("callgest_cdr_batch_id", "in", self.ids)],
                ["callgest_cdr_batch_id"],
                ["__count"],
            )
        )
        for batch in self:
            batch.job_count = counts.get(batch.sudo(), 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "callgest.cdr.batch"
                ) or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    @api.model
    def _split_lines(self, data):
        """The file's lines, without their ``\\n``; a final newline ends the
        last line, it does not start an empty one."""
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return lines

    @api.model
    def _create_from_bytes(
        self,
        pbx,
        file_name,
        data,
        origin="upload",
        file_kind="cdr",
        first_line=1,
        header_line=None,
    ):
        if not data or not data.strip():
            raise UserError(_("The file %(name)s is empty.", name=file_name or ""))
        batch = self.create(
            {
                "pbx_id": pbx.id,
                "file_name": file_name,
                "origin": origin,
                "file_kind": file_kind,
                "first_line": max(first_line or 1, 1),
                "header_line": header_line or False,
                "line_count": data.count(b"\n") + (not data.endswith(b"\n")),
            }
        )
        values = {
            "name": file_name or batch.name,
            "raw": data,
            "res_model": self._name,
            "res_id": batch.id,
            # not text/* (nor octet-stream, which Odoo guesses again):
            # Odoo would copy a text file whole into index_content
            "mimetype": "application/csv",
        }
        for attempt in range(ATTACHMENT_ATTEMPTS):
            try:
                with self.env.cr.savepoint():
                    batch.attachment_id = self.env["ir.attachment"].create(values)
                break
            except UserError:
                # Two pushes of the same bytes at once: the filestore file one
                # is writing looks like a collision to the other until written.
                if attempt == ATTACHMENT_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return batch

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------
    def _parse_options(self):
        """How to read this batch's file: its PBX's settings and, once a first
        chunk was read, the format and columns found then (later chunks and
        re-processed rows are read as the first chunk was, whatever their
        first line looks like)."""
        self.ensure_one()
        options = self.pbx_id._parse_options()
        if self.detected_columns and not (
            options.get("columns") or options.get("mapping")
        ):
            options["fmt"] = self.detected_format
            options["columns"] = self.detected_columns.split(",")
        return options

    @api.model
    def _chunk_lines(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_voip.import_chunk_lines")
        )
        return int(value) if value and value.isdigit() else DEFAULT_CHUNK_LINES

    @api.model
    def _sync_lines(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_voip.sync_import_lines")
        )
        return int(value) if value and value.isdigit() else DEFAULT_SYNC_LINES

    def _lock(self):
        """Lock this batch for processing; False when another worker has it."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM callgest_cdr_batch
                    WHERE id = %s AND state IN ('queued', 'running')
                      FOR UPDATE SKIP LOCKED""",
                self.id,
            )
        )
        locked = bool(self.env.cr.fetchone())
        if locked:
            self.invalidate_recordset()
        return locked

    def _file_lines(self):
        """The lines of the batch's file (read once: it is not kept in the
        ORM cache, a month of calls is hundreds of MB)."""
        self.ensure_one()
        lines = self._split_lines(self.attachment_id.raw or b"")
        self.attachment_id.invalidate_recordset(["raw", "datas", "db_datas"])
        return lines

    def _header_text(self, lines):
        """Line 1 of the PBX's file, for chunks that do not start there."""
        if self.first_line == 1:
            return lines[0].decode("utf-8", "replace") if lines else None
        return self.header_line or None

    def _process_chunk(self, lines, chunk_lines, read_ahead=None, pool=None):
        """Import the next chunk of this (locked) batch; return its counts.

        :param read_ahead: ``(first index, future)`` of a chunk read in
            ``pool`` while the previous one was written; used when it is this
            chunk.
        :param pool: a ThreadPoolExecutor in which to read the next chunk
            while this one is written.
        :return: ``(counts, read_ahead for the next chunk or None)``
        """
        self.ensure_one()
        start = self.lines_done
        chunk = lines[start : start + chunk_lines]
        end = start + len(chunk)
        first_line = self.first_line + start
        importer = self.env["callgest.cdr.importer"]
        next_read = None
        if self.file_kind == "queue_log":
            counts = importer._import_queue_log_lines(self, chunk, first_line)
        else:
            header = self._header_text(lines) if start or self.first_line > 1 else None
            if read_ahead and read_ahead[0] == start:
                prepared = read_ahead[1].result()
            else:
                prepared = importer._cdr_reader(self, header)(chunk, first_line)
            if not self.detected_format:
                self.write(
                    {
                        "detected_format": prepared.fmt,
                        "detected_columns": ",".join(prepared.columns),
                    }
                )
            if pool and end < self.line_count:
                read_next = importer._cdr_reader(self, self._header_text(lines))
                next_read = (
                    end,
                    pool.submit(
                        read_next,
                        lines[end : end + chunk_lines],
                        self.first_line + end,
                    ),
                )
            # late legs of calls stored by an earlier chunk are read from here
            prepared.context.setdefault("batch_lines", {})[self.id] = lines
            counts = importer._store_prepared(self, prepared)
        values = {key: self[key] + counts[key] for key in ImportCounts.KEYS}
        values["lines_done"] = end
        values["state"] = "running"
        if values["lines_done"] >= self.line_count:
            values.update(state="done", date_done=fields.Datetime.now())
        self.write(values)
        return counts, next_read

    def _process(self, commit=False, chunk_lines=None, max_chunks=None):
        """Process the batch chunk by chunk (committing each when ``commit``).

        The next chunk is parsed and resolved in a second thread while the
        current one is written: Python and PostgreSQL work at the same time.

        :param max_chunks: stop after this many chunks (tests, time slices).
        """
        chunk_lines = chunk_lines or self._chunk_lines()
        for batch in self:
            lines = None
            done_chunks = 0
            read_ahead = None
            with ThreadPoolExecutor(max_workers=1) as pool:
                while batch._lock():
                    if batch.state not in ("queued", "running"):
                        break
                    if lines is None:
                        lines = batch._file_lines()
                    try:
                        _counts, read_ahead = batch._process_chunk(
                            lines, chunk_lines, read_ahead, pool
                        )
                    except Exception as error:
                        if not commit:
                            raise
                        self.env.cr.rollback()  # pylint: disable=invalid-commit
                        _logger.exception("CDR batch %s failed", batch.name)
                        batch.write(
                            {
                                "state": "failed",
                                "error_message": translate_reason(
                                    self.env, str(error) or repr(error)
                                ),
                            }
                        )
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                        break
                    done_chunks += 1
                    if commit:
                        # each chunk with its progress: a killed run resumes here
                        self.env.cr.commit()  # pylint: disable=invalid-commit
                    if batch.state == "done" or (
                        max_chunks and done_chunks >= max_chunks
                    ):
                        break
                if read_ahead:
                    read_ahead[1].cancel()
        return True

    # ------------------------------------------------------------------
    # Queue jobs
    # ------------------------------------------------------------------
    @api.model
    def _job_chunks(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_voip.import_chunks_per_job")
        )
        return int(value) if value and value.isdigit() else DEFAULT_JOB_CHUNKS

    def _job_identity(self):
        """The same slice of the same batch is never queued twice."""
        self.ensure_one()
        return f"callgest.cdr.batch:{self.id}:{self.lines_done}"

    def _enqueue_processing(self):
        """Queue the job of each batch's next slice of lines."""
        for batch in self:
            batch.with_delay(
                description=_(
                    "Import %(batch)s (%(file)s) from line %(line)s",
                    batch=batch.name,
                    file=batch.file_name or "",
                    line=batch.first_line + batch.lines_done,
                ),
                identity_key=batch._job_identity(),
                max_retries=JOB_MAX_RETRIES,
            )._job_process_slice(batch.lines_done)

    def _job_store_values(self, job):
        """Link the job to its batch (the batch's form lists its jobs)."""
        values = super()._job_store_values(job)
        if len(self) == 1:
            values["callgest_cdr_batch_id"] = self.id
        return values

    def _job_process_slice(self, start):
        """Queue job: import the lines of this batch from ``start`` (a slice
        of ``_job_chunks()`` chunks), then queue the next slice.

        Idempotent (queue jobs are at-least-once): a slice already imported,
        or being imported by another worker, is not imported again; the
        slice, the batch's progress and the next job commit together.

        :return: what the job did, for the job's result.
        """
        self.ensure_one()
        if not self._lock():
            self.invalidate_recordset(["state"])
            if self.state in ("queued", "running"):
                # another worker imports it (this very slice, maybe): try again
                # later, then this slice is done or still to do
                raise RetryableJobError(
                    _("%(batch)s is being imported by another worker.", batch=self.name)
                )
            return _(
                "Nothing to do: %(batch)s is %(state)s.",
                batch=self.name,
                state=dict(BATCH_STATES)[self.state],
            )
        if self.lines_done != start:
            return _(
                "Nothing to do: lines from %(line)s of %(batch)s were already "
                "imported.",
                line=self.first_line + start,
                batch=self.name,
            )
        self._process(max_chunks=self._job_chunks())
        if self.state in ("queued", "running"):
            self._enqueue_processing()
        return _(
            "%(batch)s: lines %(first)s to %(last)s imported (%(done)s of "
            "%(total)s), %(state)s.",
            batch=self.name,
            first=self.first_line + start,
            last=self.first_line + self.lines_done - 1,
            done=self.lines_done,
            total=self.line_count,
            state=dict(BATCH_STATES)[self.state],
        )

    def _job_on_fail(self, exc_name=None, exc_message=None, **_kw):
        """The job failed and will not run again: so did the batch."""
        self.filtered(lambda batch: batch.state in ("queued", "running")).write(
            {
                "state": "failed",
                "error_message": translate_reason(
                    self.env, exc_message or exc_name or _("The import job failed.")
                ),
            }
        )

    def _active_job_batches(self):
        """The batches of ``self`` that have a job still to run."""
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("callgest_cdr_batch_id", "in", self.ids),
                    ("state", "in", JOB_ACTIVE_STATES),
                ]
            )
        )
        return jobs.callgest_cdr_batch_id.with_env(self.env)

    @api.model
    def _cron_process_queued(self):
        """Queue the jobs of the batches that have none: new ones, and those
        whose job chain was broken (a batch queued before the jobs, a job
        cancelled by hand). The jobs do the work."""
        batches = self.search([("state", "in", ("queued", "running"))], order="id")
        (batches - batches._active_job_batches())._enqueue_processing()

    def _run_or_queue(self):
        """Small batches at once (in this transaction), large ones queued."""
        for batch in self:
            if batch.line_count <= self._sync_lines():
                batch._process(commit=False, chunk_lines=batch.line_count or 1)
            else:
                batch._enqueue_processing()

    def _summary(self):
        self.ensure_one()
        return {
            "batch_id": self.id,
            "name": self.name,
            "state": self.state,
            "line_count": self.line_count,
            "lines_done": self.lines_done,
            **{key: self[key] for key in ImportCounts.KEYS},
        }

    # ------------------------------------------------------------------
    # RPC: the PBX bridge
    # ------------------------------------------------------------------
    @api.model
    def push_cdr(
        self,
        pbx_code,
        file_name,
        content_b64,
        first_line=1,
        header_line=None,
        file_kind="cdr",
    ):
        """Import lines pushed by the PBX (``callgest-pbx push``/``follow``).

        Idempotent: each call is unique by its key on the PBX, so pushing the
        same lines again creates nothing. Lines pushed in several parts may
        split a call's legs: the later legs join the call already stored.

        :param content_b64: base64 of the file's bytes (lines ``first_line``
            onwards); each line's encoding is detected, not assumed.
        :param header_line: line 1 of the file when ``first_line`` > 1.
        :param file_kind: ``"cdr"`` or ``"queue_log"``.
        :return: the batch's counts, as a dict.
        """
        user = self.env.user
        if not (
            user.has_group("callgest_base.group_callgest_pbx")
            or user.has_group("callgest_base.group_callgest_supervisor")
        ):
            raise AccessError(
                _("Only the PBX technical user and supervisors can push calls.")
            )
        env = self.env
        pbx_code = rpc_args.text(env, pbx_code, "pbx_code", '"asterisk-bcn"')
        file_name = rpc_args.text(env, file_name, "file_name", '"Master.csv"')
        content_b64 = rpc_args.optional_text(
            env, content_b64, "content_b64", '"MjAyNi0xMi0wMy..."'
        )
        first_line = rpc_args.positive_integer(env, first_line, "first_line")
        header_line = rpc_args.optional_text(
            env, header_line, "header_line", '"accountcode,src,dst,..."'
        )
        file_kind = rpc_args.choice(env, file_kind, "file_kind", list(dict(FILE_KINDS)))
        try:
            data = base64.b64decode(content_b64 or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise UserError(_("The pushed content is not valid base64.")) from None
        self_sudo = self.sudo()
        pbx = self_sudo.env["callgest.pbx"]._find_by_code(pbx_code)
        try:
            batch = self_sudo._create_from_bytes(
                pbx,
                file_name,
                data,
                origin="rpc",
                file_kind=file_kind,
                first_line=first_line,
                header_line=header_line,
            )
            batch._run_or_queue()
        except cdr_parsers.CdrFormatError as error:
            raise UserError(translate_reason(self.env, str(error))) from error
        return batch._summary()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retry(self):
        failed = self.filtered(lambda batch: batch.state == "failed")
        failed.write({"state": "queued", "error_message": False})
        failed._enqueue_processing()

    def action_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "queue_job.action_queue_job"
        )
        action["domain"] = [("callgest_cdr_batch_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_calls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_voip.callgest_call_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_open_quarantine(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_voip.callgest_cdr_quarantine_action"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {}
        return action
