from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    callgest_usage_ids = fields.One2many(
        "callgest.usage", "invoice_line_id", string="CallGest usage"
    )

    def unlink(self):
        # a draft invoice deleted or its line removed: the usage is invoiced
        # again by the next run instead of being lost
        self.env["callgest.usage"].sudo().search(
            [("invoice_line_id", "in", self.ids)]
        )._release()
        return super().unlink()
