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

    def unlink(self):
        # a draft invoice deleted or its line removed: the usage is invoiced
        # again by the next run instead of being lost
        self._callgest_usage()._release()
        return super().unlink()
