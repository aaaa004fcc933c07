from odoo import fields, models

from odoo.addons.callgest_billing.models.res_partner import FEE_GROUPS as BILLING_FEES

# The salesmen who record the fees at onboarding read them too.
FEE_GROUPS = f"{BILLING_FEES},sales_team.group_sale_salesman"


class ResPartner(models.Model):
    _inherit = "res.partner"

    callgest_setup_fee_pending = fields.Float(groups=FEE_GROUPS)
    callgest_deposit_pending = fields.Float(groups=FEE_GROUPS)
    callgest_fees_pending_date = fields.Date(groups=FEE_GROUPS)
