from odoo import fields, models


class CallgestRecipient(models.Model):
    _inherit = "callgest.recipient"

    franchisee_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        check_company=True,
        domain="[('parent_id', '=', partner_id), "
        "('callgest_is_professional', '=', True)]",
        help="Of a franchise network: this recipient receives only the recados "
        "routed to this franchisee. Empty: the network's own recados, and those "
        "of franchisees without recipients of their own.",
    )
