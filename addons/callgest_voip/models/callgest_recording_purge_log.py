import logging
import os
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from odoo import _, api, fields, models
from odoo.tools import SQL, create_index

_logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30
PURGE_BATCH = 5000


class CallgestRecordingPurgeLog(models.Model):
    """What one run of the recording purge did for one client."""

    _name = "callgest.recording.purge.log"
    _description = "CallGest recording purge"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        readonly=True,
        index=True,
        help="Empty for calls that belong to no client.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    retention_days = fields.Integer(string="Kept (days)", readonly=True)
    cutoff = fields.Datetime(
        readonly=True, help="Recordings of calls started before this were purged."
    )
    purged_count = fields.Integer(string="Recordings purged", readonly=True)
    files_deleted = fields.Integer(
        readonly=True, help="Recording files deleted from the recordings directory."
    )
    file_errors = fields.Integer(
        readonly=True, help="Files that could not be deleted (see the server log)."
    )
    oldest_call = fields.Datetime(readonly=True)
    newest_call = fields.Datetime(readonly=True)

    def init(self):
        # the purge looks for the calls that still have a recording: few of
        # the millions of calls once the purge has run
        create_index(
            self.env.cr,
            "callgest_call_recording_start_idx",
            "callgest_call",
            ["start_time"],
            where="recording_ref IS NOT NULL",
        )

    # ------------------------------------------------------------------
    # Cron and queue jobs
    # ------------------------------------------------------------------
    @api.model
    def _cron_purge_recordings(self):
        """Queue one purge job per client and company with recordings past
        their retention (channel ``root.callgest.recording``)."""
        now = fields.Datetime.now()
        for company_id, partner_id, days in self._purge_groups(now):
            self.with_delay(
                description=_(
                    "Purge the recordings older than %(days)s days of client "
                    "%(client)s, company %(company)s",
                    days=days,
                    client=partner_id or "-",
                    company=company_id,
                ),
                identity_key=f"callgest.recording.purge:{company_id}:{partner_id}",
            )._job_purge_group(
                company_id, partner_id, days, fields.Datetime.to_string(now)
            )

    @api.model
    def _job_purge_group(self, company_id, partner_id, days, now):
        """Queue job: forget the recordings of one client (``partner_id``,
        None for calls of no client) older than ``days`` at ``now``, write
        the log, then queue the deletion of the files (after this commit: the
        calls forget their files before the files go).

        Idempotent: a purged call has no recording left to purge, so a job
        run again purges nothing and writes no log.
        """
        now = fields.Datetime.to_datetime(now)
        log, paths = self._purge_group(company_id, partner_id, days, now)
        if not log:
            return _("Nothing to purge.")
        if paths:
            log.with_delay(
                description=_(
                    "Delete %(count)s recording files of purge %(log)s",
                    count=len(paths),
                    log=log.id,
                ),
                identity_key=f"callgest.recording.files:{log.id}",
            )._job_delete_recording_files(paths)
        return _(
            "%(count)s recordings purged, %(files)s files to delete.",
            count=log.purged_count,
            files=len(paths),
        )

    def _job_delete_recording_files(self, paths):
        """Queue job: delete the files of a purge and count them on its log
        (a file already gone, e.g. by a first run of the job, is not an
        error)."""
        self.ensure_one()
        deleted, errors = self._delete_files(paths)
        self.write(
            {
                "files_deleted": self.files_deleted + deleted,
                "file_errors": self.file_errors + errors,
            }
        )
        return _(
            "%(deleted)s files deleted, %(errors)s errors.",
            deleted=deleted,
            errors=errors,
        )

    @api.model
    def _purge_recordings(self, now=None, batch_size=PURGE_BATCH):
        """Forget the recordings older than each client's retention period,
        now and in this transaction (the queue jobs do it client by client),
        deleting their files; one log per client that had recordings purged.

        :return: the logs written (recordset).
        """
        now = now or fields.Datetime.now()
        logs = self.browse()
        for company_id, partner_id, days in self._purge_groups(now):
            log, paths = self._purge_group(
                company_id, partner_id, days, now, batch_size
            )
            if paths:
                log._job_delete_recording_files(paths)
            logs |= log
        return logs

    @api.model
    def _purge_group(self, company_id, partner_id, days, now, batch_size=PURGE_BATCH):
        """Forget the recordings of one client and company older than
        ``days``, in SQL batches; ``(log or empty, files to delete)``."""
        Call = self.env["callgest.call"]
        Call.flush_model()
        recording_dir = self._recording_dir()
        cutoff = now - timedelta(days=days)
        totals = {
            "purged_count": 0,
            "files_deleted": 0,
            "file_errors": 0,
            "oldest_call": None,
            "newest_call": None,
        }
        paths = []
        while True:
            rows = self._purge_batch(company_id, partner_id, cutoff, now, batch_size)
            if not rows:
                break
            totals["purged_count"] += len(rows)
            starts = [row[1] for row in rows]
            oldest, newest = min(starts), max(starts)
            if not totals["oldest_call"] or oldest < totals["oldest_call"]:
                totals["oldest_call"] = oldest
            if not totals["newest_call"] or newest > totals["newest_call"]:
                totals["newest_call"] = newest
            paths += [
                path
                for path in (self._local_file(row[0], recording_dir) for row in rows)
                if path
            ]
            if len(rows) < batch_size:
                break
        Call.invalidate_model(["recording_ref", "recording_purged_on"])
        if not totals["purged_count"]:
            return self.browse(), []
        log = self.create(
            {
                "date": now,
                "partner_id": partner_id,
                "company_id": company_id,
                "retention_days": days,
                "cutoff": cutoff,
                **totals,
            }
        )
        _logger.info(
            "CallGest: purged %s recordings (%s files to delete) of client %s, "
            "company %s: calls from %s to %s, kept %s days",
            totals["purged_count"],
            len(paths),
            partner_id,
            company_id,
            totals["oldest_call"],
            totals["newest_call"],
            days,
        )
        return log, paths

    @api.model
    def _purge_groups(self, now):
        """``[(company id, client id or None, retention days)]`` with work to do."""
        self.env["callgest.call"].flush_model()
        self.env["res.partner"].flush_model()
        self.env["res.company"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT company_id, partner_id, days
                     FROM (SELECT c.company_id, c.partner_id, c.start_time,
                                  COALESCE(
                                      NULLIF(p.callgest_recording_retention_days, 0),
                                      NULLIF(co.callgest_recording_retention_days, 0),
                                      %(default)s) AS days
                             FROM callgest_call c
                             JOIN res_company co ON co.id = c.company_id
                        LEFT JOIN res_partner p ON p.id = c.partner_id
                            WHERE c.recording_ref IS NOT NULL) AS recording
                    WHERE start_time < %(now)s - make_interval(days => days)
                 GROUP BY company_id, partner_id, days
                 ORDER BY company_id, partner_id NULLS FIRST""",
                default=DEFAULT_RETENTION_DAYS,
                now=now,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _purge_batch(self, company_id, partner_id, cutoff, now, batch_size):
        """Clear a batch of recordings; ``[(old recording_ref, start_time)]``."""
        self.env.cr.execute(
            SQL(
                """WITH batch AS (
                       SELECT id, recording_ref
                         FROM callgest_call
                        WHERE company_id = %(company)s
                          AND partner_id IS NOT DISTINCT FROM %(partner)s
                          AND recording_ref IS NOT NULL
                          AND start_time < %(cutoff)s
                        LIMIT %(limit)s
                          FOR UPDATE SKIP LOCKED
                   )
                   UPDATE callgest_call c
                      SET recording_ref = NULL,
                          recording_purged_on = %(now)s
                     FROM batch
                    WHERE c.id = batch.id
                RETURNING batch.recording_ref, c.start_time""",
                company=company_id,
                partner=partner_id,
                cutoff=cutoff,
                limit=batch_size,
                now=now,
                uid=self.env.uid,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _recording_dir(self):
        path = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_voip.recording_dir", "")
            .strip()
        )
        return os.path.realpath(path) if path else None

    @api.model
    def _local_file(self, ref, recording_dir):
        """The file a recording reference names inside the recordings
        directory, or None (a URL, a file elsewhere, no directory set)."""
        ref = (ref or "").strip()
        if not ref or not recording_dir:
            return None
        parts = urlsplit(ref)
        if parts.scheme == "file":
            ref = unquote(parts.path)
        elif parts.scheme and len(parts.scheme) > 1:
            return None  # http(s), sftp...: only forgotten
        path = os.path.realpath(os.path.join(recording_dir, ref))
        if os.path.commonpath([path, recording_dir]) != recording_dir:
            _logger.warning(
                "CallGest: recording %s is outside %s, not deleted", ref, recording_dir
            )
            return None
        return path

    @api.model
    def _delete_files(self, paths):
        deleted = errors = 0
        for path in paths:
            try:
                os.remove(path)
                deleted += 1
            except FileNotFoundError:
                _logger.info("CallGest: recording file %s was already gone", path)
            except OSError as error:
                errors += 1
                _logger.warning(
                    "CallGest: could not delete recording file %s: %s", path, error
                )
        return deleted, errors
