from odoo import fields, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    callgest_cdr_batch_id = fields.Many2one(
        "callgest.cdr.batch",
        string="CDR import",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
