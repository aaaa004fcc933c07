from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import franchise_routing


class CallgestFranchiseArea(models.Model):
    """An area a franchisee covers: a postal-code prefix ("08", "08201") or
    a town. In a network, one area has one franchisee."""

    _name = "callgest.franchise.area"
    _description = "CallGest franchisee area"
    _order = "network_id, key, id"
    _check_company_auto = True

    franchisee_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain=[("callgest_is_professional", "=", True)],
    )
    network_id = fields.Many2one(
        related="franchisee_id.parent_id", store=True, index=True, string="Network"
    )
    company_id = fields.Many2one(related="franchisee_id.company_id", store=True)
    name = fields.Char(
        string="Area",
        required=True,
        help="A postal code or its first digits (08 for the province of "
        "Barcelona, 082 for Sabadell and Terrassa), or a town.",
    )
    key = fields.Char(compute="_compute_key", store=True, index=True)

    _sql_constraints = [
        (
            "network_key_unique",
            "UNIQUE(network_id, key)",
            "Two franchisees of a network cannot cover the same area.",
        ),
    ]

    @api.depends("name")
    def _compute_key(self):
        for area in self:
            try:
                area.key = franchise_routing.area_key(area.name)
            except ValueError:
                area.key = False

    @api.constrains("name", "key", "network_id")
    def _check_area(self):
        for area in self:
            if not area.key:
                raise ValidationError(
                    _(
                        "%(area)s is not an area: write a postal code or its first "
                        "2 to 4 digits (a province is 01 to 52), or a town's name.",
                        area=area.name,
                    )
                )
            other = self.search(
                [
                    ("network_id", "=", area.network_id.id),
                    ("key", "=", area.key),
                    ("id", "!=", area.id),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    _(
                        "%(area)s is already covered by %(other)s in %(network)s: "
                        "an area has one franchisee.",
                        area=area.name,
                        other=other.franchisee_id.name,
                        network=area.network_id.name,
                    )
                )
