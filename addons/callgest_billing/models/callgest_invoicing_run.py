import logging

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

RUN_STATES = [
    ("queued", "Queued"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# retries while the company is busy or on a serialization failure (pattern in
# the job function's data: 60 s, 300 s from the 5th, 1,800 s from the 10th)
JOB_MAX_RETRIES = 12


class CallgestInvoicingRun(models.Model):
    """The monthly invoicing of one company, run by a queue job (channel
    ``root.callgest.invoicing``).

    The job calls ``callgest.invoicing._run_period``, which skips the clients
    already invoiced for the period: the job run again (queue jobs are
    at-least-once) invoices nobody twice.
    """

    _name = "callgest.invoicing.run"
    _description = "CallGest invoicing run"
    _inherit = ["mail.thread"]
    _order = "period desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    period = fields.Char(required=True, readonly=True, help="The month, YYYY-MM.")
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        readonly=True,
        help="Empty: every client with something to invoice.",
    )
    state = fields.Selection(
        RUN_STATES, required=True, default="queued", readonly=True, tracking=True
    )
    invoice_ids = fields.Many2many(
        "account.move", string="Invoices", readonly=True, copy=False
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    message = fields.Text(readonly=True)
    date_done = fields.Datetime(readonly=True)
    job_ids = fields.One2many(
        "queue.job", "callgest_invoicing_run_id", string="Jobs", readonly=True
    )
    job_count = fields.Integer(compute="_compute_job_count")

    @api.depends("period", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = f"{run.period} {run.company_id.name or ''}".strip()

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for run in self:
            run.invoice_count = len(run.invoice_ids)

    def _compute_job_count(self):
        # the jobs are the queue managers'; their count is for every reader
        counts = dict(
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [("callgest_invoicing_run_id", "in", self.ids)],
                ["callgest_invoicing_run_id"],
                ["__count"],
            )
        )
        for run in self:
            run.job_count = counts.get(run.sudo(), 0)

    # ------------------------------------------------------------------
    # Queue jobs
    # ------------------------------------------------------------------
    @api.model
    def _queue(self, period, company=None, client_ids=None):
        """The run of ``period`` for ``company`` (the current one), with its
        job queued; the cron queues each month's run once."""
        company = company or self.env.company
        # the errors the job would meet, now and clear
        if not self.env.su and not self.env.user.has_group(
            "account.group_account_invoice"
        ):
            raise UserError(_("Only invoicing users can run the CallGest invoicing."))
        first, last = self.env["callgest.invoicing"]._period_bounds(period)
        period = first.strftime("%Y-%m")
        if last >= fields.Date.context_today(self):
            raise UserError(
                _(
                    "The month %(period)s is not over yet: it can be invoiced "
                    "from %(day)s.",
                    period=period,
                    day=last + relativedelta(days=1),
                )
            )
        run = self.browse()
        if not client_ids:
            run = self.search(
                [
                    ("company_id", "=", company.id),
                    ("period", "=", period),
                    ("client_ids", "=", False),
                    ("state", "=", "queued"),
                ],
                limit=1,
            )
        if not run:
            run = self.create(
                {
                    "company_id": company.id,
                    "period": period,
                    "client_ids": [fields.Command.set(client_ids or [])],
                }
            )
        run._enqueue()
        return run

    def _enqueue(self):
        for run in self:
            run.with_company(run.company_id).with_delay(
                description=_(
                    "Invoice %(period)s for %(company)s",
                    period=run.period,
                    company=run.company_id.name,
                ),
                identity_key=f"callgest.invoicing.run:{run.id}",
                max_retries=JOB_MAX_RETRIES,
            )._job_invoice()

    def _job_store_values(self, job):
        """Link the job to its run (the run's form lists its jobs)."""
        values = super()._job_store_values(job)
        if len(self) == 1:
            values["callgest_invoicing_run_id"] = self.id
        return values

    def _job_invoice(self):
        """Queue job: invoice the run's period for its company.

        Idempotent: ``_run_period`` skips the clients already invoiced for
        the period, so a second run of the job creates no invoice.

        :return: the invoicing's message, for the job's result.
        """
        self.ensure_one()
        Invoicing = self.env["callgest.invoicing"].with_company(self.company_id)
        try:
            Invoicing._lock(self.company_id)
        except UserError as error:
            # another run of the company holds it: try again in a while
            raise RetryableJobError(str(error)) from None
        moves, message = Invoicing._run_period(self.period, self.client_ids.ids or None)
        values = {"state": "done", "date_done": fields.Datetime.now()}
        if moves or not self.message:
            values["message"] = message
        if moves:
            values["invoice_ids"] = [fields.Command.link(move.id) for move in moves]
        self.write(values)
        return message

    def _job_on_fail(self, exc_name=None, exc_message=None, **_kw):
        """The job failed and will not run again: so did the run."""
        self.write(
            {
                "state": "failed",
                "message": exc_message or exc_name or _("The invoicing job failed."),
            }
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retry(self):
        failed = self.filtered(lambda run: run.state == "failed")
        failed.write({"state": "queued", "message": False})
        failed._enqueue()

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "domain": [("id", "in", self.invoice_ids.ids)],
                "context": {"default_move_type": "out_invoice"},
            }
        )
        return action

    def action_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "queue_job.action_queue_job"
        )
        action["domain"] = [("callgest_invoicing_run_id", "=", self.id)]
        action["context"] = {}
        return action
