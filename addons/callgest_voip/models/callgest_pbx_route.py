from odoo import fields, models


class CallgestPbxRoute(models.Model):
    """A number or queue name the PBX writes that stands for one of our DDIs."""

    _name = "callgest.pbx.route"
    _description = "CallGest PBX inbound route"
    _order = "pbx_id, pbx_number"
    _rec_name = "pbx_number"
    _check_company_auto = True

    pbx_id = fields.Many2one("callgest.pbx", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="pbx_id.company_id", store=True)
    pbx_number = fields.Char(
        string="As written by the PBX",
        required=True,
        help="The called number (dst) or queue name in the PBX's records.",
    )
    ddi_id = fields.Many2one(
        "callgest.ddi", string="DDI", required=True, check_company=True
    )

    _sql_constraints = [
        (
            "number_uniq",
            "unique(pbx_id, pbx_number)",
            "This number already has a route on this PBX.",
        ),
    ]
