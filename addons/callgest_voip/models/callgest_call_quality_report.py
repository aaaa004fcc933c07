from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists

MISSED_DISPOSITIONS = ("missed", "busy", "failed")


class CallgestCallQualityReport(models.Model):
    """Answer quality per client and month (a read-only SQL view).

    One row per company, client and month of the call's local day, over the
    inbound calls whose CDR arrived. Blacklisted calls are left out: they are
    refused on purpose, neither answered nor missed.

    The averages and the 90th percentile of a row are exact for that client
    and month; the pivot and graph views can only combine rows (average of
    averages, highest percentile), so read a combined figure as an indication.
    """

    _name = "callgest.call.quality.report"
    _description = "CallGest answer quality per client and month"
    _auto = False
    _order = "month desc, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    month = fields.Date(readonly=True, help="First day of the month.")
    calls = fields.Integer(readonly=True, aggregator="sum")
    answered = fields.Integer(readonly=True, aggregator="sum")
    missed = fields.Integer(
        readonly=True, aggregator="sum", help="Missed, busy and failed calls."
    )
    abandoned = fields.Integer(
        readonly=True,
        aggregator="sum",
        help="Missed calls whose caller hung up while waiting in the queue "
        "(counted among the missed ones).",
    )
    answered_ratio = fields.Float(
        string="Answered (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Answered calls out of all calls of the client and month. "
        "Combined rows show the average of their ratios.",
    )
    avg_answer_seconds = fields.Float(
        string="Average answer time (s)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Average wait before a secretary answered, over answered calls. "
        "Combined rows show the average of the monthly averages.",
    )
    p90_answer_seconds = fields.Float(
        string="90th percentile answer time (s)",
        readonly=True,
        aggregator="max",
        digits=(16, 2),
        help="Nine answered calls out of ten waited at most this long "
        "(interpolated). Combined rows show the highest monthly value.",
    )
    max_wait_seconds = fields.Integer(
        string="Longest wait (s)",
        readonly=True,
        aggregator="max",
        help="The longest a caller waited, answered or not (a missed call "
        "waited its whole duration).",
    )
    target_seconds = fields.Integer(
        string="Target (s)", readonly=True, aggregator="max"
    )
    target_met = fields.Boolean(
        readonly=True,
        help="The month's average answer time is within the company's target.",
    )

    def _select_extra(self):
        """Hook: more columns of the view, ``SQL("expression AS name")`` over
        the calls ``c`` of each group, computed in the same scan."""
        return []

    def _query(self, where=None, per_client=True):
        """The SQL of the report.

        :param where: an ``SQL`` condition on the calls ``c`` (e.g. the calls
            a portal user may read), added to the report's own
        :param per_client: one row per client and month (the view); False:
            one row per company and month over the calls ``where`` keeps,
            with the client column empty (a portal user's months, exact over
            all the clients he sees)
        """
        extra = SQL("").join(SQL(", %s", column) for column in self._select_extra())
        where = where or SQL("TRUE")
        partner = SQL("c.partner_id") if per_client else SQL("NULL::int")
        answered = SQL("c.disposition = 'answered'")
        wait = SQL("COALESCE(c.wait_seconds, 0)")
        missed_wait = SQL(
            "COALESCE(c.duration, EXTRACT(EPOCH FROM c.end_time - c.start_time))"
        )
        average = SQL("AVG(%s) FILTER (WHERE %s)", wait, answered)
        return SQL(
            """
            SELECT MIN(c.id) AS id,
                   c.company_id AS company_id,
                   %(partner)s AS partner_id,
                   date_trunc('month', c.local_date)::date AS month,
                   COUNT(*) AS calls,
                   COUNT(*) FILTER (WHERE %(answered)s) AS answered,
                   COUNT(*) FILTER (WHERE c.disposition IN %(missed)s) AS missed,
                   COUNT(*) FILTER (WHERE c.disposition = 'missed'
                                      AND COALESCE(c.queue_seconds, 0) > 0)
                       AS abandoned,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE %(answered)s)
                         / COUNT(*), 2)::float AS answered_ratio,
                   ROUND(%(average)s::numeric, 2)::float AS avg_answer_seconds,
                   ROUND((percentile_cont(0.9) WITHIN GROUP (ORDER BY %(wait)s)
                          FILTER (WHERE %(answered)s))::numeric, 2)::float
                       AS p90_answer_seconds,
                   MAX(CASE WHEN %(answered)s THEN %(wait)s
                            ELSE %(missed_wait)s END)::int AS max_wait_seconds,
                   COALESCE(co.callgest_answer_target_seconds, 15)
                       AS target_seconds,
                   COALESCE(%(average)s
                            <= COALESCE(co.callgest_answer_target_seconds, 15),
                            FALSE) AS target_met
                   %(extra)s
              FROM callgest_call c
              JOIN res_company co ON co.id = c.company_id
             WHERE c.has_cdr
               AND c.direction = 'inbound'
               AND c.disposition != 'blacklisted'
               AND c.partner_id IS NOT NULL
               AND c.local_date IS NOT NULL
               AND %(where)s
          GROUP BY c.company_id, %(group_partner)s
                   date_trunc('month', c.local_date),
                   co.callgest_answer_target_seconds
            """,
            answered=answered,
            missed=MISSED_DISPOSITIONS,
            average=average,
            wait=wait,
            missed_wait=missed_wait,
            extra=extra,
            where=where,
            partner=partner,
            group_partner=SQL("c.partner_id,") if per_client else SQL(""),
        )

    def _callgest_months(self, calls_domain, first_month):
        """The report's rows from ``first_month`` (a date, first of a month)
        over the calls of ``calls_domain`` that the current user may read
        (his record rules apply), one per company and month, as dicts of the
        report's columns: what the client's portal shows."""
        calls_query = self.env["callgest.call"]._search(
            calls_domain + [("local_date", ">=", first_month)]
        )
        self.env["callgest.call"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT * FROM (%s) q ORDER BY q.month",
                self._query(
                    SQL("c.id IN %s", calls_query.subselect()), per_client=False
                ),
            )
        )
        return self.env.cr.dictfetchall()

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
