from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# days of counts kept, for a supervisor looking into a flood
KEPT_DAYS = 7


class CallgestQuoteRequest(models.Model):
    """How many quotes the public page gave a key (``ip:<address>``,
    ``email:<address>``) on a day (UTC): the page's limits a day."""

    _name = "callgest.quote.request"
    _description = "CallGest public quote requests of a day"
    _order = "day desc, count desc"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    day = fields.Date(required=True, readonly=True)
    count = fields.Integer(required=True, readonly=True)

    _sql_constraints = [
        ("key_day_unique", "UNIQUE(key, day)", "One count per key and day."),
    ]

    @api.model
    def _callgest_count(self, key):
        """Count one more request of ``key`` today; return the day's count.

        One row per key and day, incremented in place: two requests at the
        same moment update the same row, so that under Odoo's repeatable
        read the second fails to serialize and Odoo retries it, when it sees
        the first one's count. (A lock alone would not do: the second
        request's snapshot, taken before it waited, does not see the
        first one's quote.)"""
        self.env.cr.execute(
            SQL(
                """INSERT INTO callgest_quote_request AS request (key, day, count)
                   VALUES (%s, %s, 1)
              ON CONFLICT (key, day)
                DO UPDATE SET count = request.count + 1
                RETURNING request.count""",
                key,
                fields.Date.today(),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.autovacuum
    def _gc_old_counts(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM callgest_quote_request WHERE day < %s",
                fields.Date.today() - timedelta(days=KEPT_DAYS),
            )
        )
