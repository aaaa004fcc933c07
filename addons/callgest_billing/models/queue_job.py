from odoo import fields, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    callgest_invoicing_run_id = fields.Many2one(
        "callgest.invoicing.run",
        string="Invoicing run",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
