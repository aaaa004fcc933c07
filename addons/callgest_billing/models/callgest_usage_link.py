from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .callgest_tariff_rate import USAGES


class CallgestUsageLink(models.Model):
    """The invoice line that bills a set of rated usage: one row per invoice
    line, written in bulk by the invoicing and never changed.

    Usage points at its link (``callgest.usage.invoice_link_id``); the link
    holds the foreign key to ``account.move.line``, with an index. So:

    * deleting any journal item checks this small, indexed table, not the
      millions of usage rows (which carry no foreign key and no index on their
      link, so that invoicing updates them in place);
    * a credit note's lines that credit usage have links too (no usage points
      at them), so that a month's minimum compares what its lines billed and
      credited (``callgest.invoicing._months_billed``);
    * deleting an invoice line deletes its link (``ondelete="cascade"``), and
      a statement trigger (see ``init``) puts the usage of the deleted links
      back to be invoiced, in one UPDATE per statement, whoever deletes the
      line, through the ORM or in SQL.
    """

    _name = "callgest.usage.link"
    _description = "CallGest usage billed by an invoice line"
    _log_access = False

    invoice_line_id = fields.Many2one(
        "account.move.line",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        readonly=True,
        ondelete="restrict",
        help="The client whose usage the line bills: usage is found by client.",
    )
    period = fields.Char(
        required=True, readonly=True, help="The month of the usage billed, YYYY-MM."
    )
    usage = fields.Selection(USAGES, required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(
        required=True,
        readonly=True,
        help="What the line bills (negative: credits), rounded as on the line, "
        "in the currency of the tariff: the monthly minimum compares it.",
    )

    _sql_constraints = [
        (
            "invoice_line_uniq",
            "unique(invoice_line_id)",
            "An invoice line bills its usage through one link.",
        ),
    ]

    def init(self):
        cr = self.env.cr
        cr.execute(
            """CREATE OR REPLACE FUNCTION callgest_usage_link_released()
               RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   UPDATE callgest_usage usage
                      SET invoice_link_id = NULL, state = 'to_invoice'
                     FROM released
                    WHERE usage.partner_id = released.partner_id
                      AND usage.invoice_link_id = released.id;
                   -- each client's cursor in each company (res.partner)
                   PERFORM callgest_set_usage_pending_since(
                               array_agg(pending.partner_id),
                               array_agg(pending.company_id),
                               array_agg(pending.period), true)
                      FROM (SELECT usage.partner_id, usage.company_id,
                                   MIN(usage.period) AS period
                              FROM callgest_usage usage
                             WHERE usage.partner_id IN (
                                       SELECT partner_id FROM released)
                               AND usage.state = 'to_invoice'
                          GROUP BY usage.partner_id, usage.company_id) AS pending;
                   RETURN NULL;
               END $$"""
        )
        cr.execute(
            """DROP TRIGGER IF EXISTS callgest_usage_link_released
                   ON callgest_usage_link;
               CREATE TRIGGER callgest_usage_link_released
                   AFTER DELETE ON callgest_usage_link
                   REFERENCING OLD TABLE AS released
                   FOR EACH STATEMENT
                   EXECUTE FUNCTION callgest_usage_link_released()"""
        )

    def write(self, vals):
        if vals:
            raise UserError(
                _("The link between usage and an invoice line is never changed.")
            )
        return super().write(vals)

    @api.model
    def _create_rows(self, rows):
        """Insert links in bulk: ``rows`` are dicts of invoice_line_id,
        partner_id, period, usage, currency_id and amount; returns
        ``{invoice line id: link id}``."""
        if not rows:
            return {}
        self.env.cr.execute(
            SQL(
                """INSERT INTO callgest_usage_link
                          (invoice_line_id, partner_id, period, usage,
                           currency_id, amount)
                   SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[],
                                        %s::varchar[], %s::int[], %s::numeric[])
                   RETURNING invoice_line_id, id""",
                *(
                    [row[name] for row in rows]
                    for name in (
                        "invoice_line_id",
                        "partner_id",
                        "period",
                        "usage",
                        "currency_id",
                        "amount",
                    )
                ),
            )
        )
        return dict(self.env.cr.fetchall())
