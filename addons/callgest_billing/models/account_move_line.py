from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    callgest_client_id = fields.Many2one(
        "res.partner",
        string="CallGest client",
        readonly=True,
        copy=False,
        help="The client whose rated usage this line bills.",
    )

    def _callgest_usage(self):
        """The rated usage these lines bill."""
        Usage = self.env["callgest.usage"].sudo()
        return Usage.search(Usage._domain_of_lines(self))

    def remove_move_reconcile(self):
        # a top-up no longer paid (its payment cancelled or unreconciled, the
        # invoice reset to draft) no longer credits the prepaid account
        moves = (
            self.move_id
            | self.matched_debit_ids.debit_move_id.move_id
            | self.matched_credit_ids.credit_move_id.move_id
        )
        result = super().remove_move_reconcile()
        self.env["callgest.prepaid.move"]._sync_recharges(moves)
        return result

    def unlink(self):
        # a draft invoice deleted or its line removed: the usage is invoiced
        # again by the next run instead of being lost
        self._callgest_usage()._release()
        return super().unlink()
