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
    key = fields.Char(compute="_compute_key", store=True, index=True, precompute=True)

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

    @api.model
    def _callgest_check_claim(self, franchisee, name, exclude=()):
        """The area ``name`` for ``franchisee``, or a ValidationError naming
        the franchisee of its network that covers it already (checked before
        writing: the database's unique index would only say "duplicate")."""
        try:
            key = franchise_routing.area_key(name)
        except ValueError:
            raise ValidationError(
                _(
                    "%(area)s is not an area: write a postal code or its first "
                    "2 to 4 digits (a province is 01 to 52), or a town's name.",
                    area=name,
                )
            ) from None
        other = self.search(
            [
                ("network_id", "=", franchisee.parent_id.id),
                ("key", "=", key),
                ("id", "not in", list(exclude)),
            ],
            limit=1,
        )
        if other:
            raise ValidationError(
                _(
                    "%(area)s is already covered by %(other)s in %(network)s: an "
                    "area has one franchisee.",
                    area=name,
                    other=other.franchisee_id.name,
                    network=franchisee.parent_id.name,
                )
            )
        return key

    @api.model_create_multi
    def create(self, vals_list):
        claimed = {}
        Partner = self.env["res.partner"]
        for vals in vals_list:
            franchisee = Partner.browse(vals.get("franchisee_id"))
            key = self._callgest_check_claim(franchisee, vals.get("name") or "")
            network_key = (franchisee.parent_id.id, key)
            if network_key in claimed and claimed[network_key] != franchisee:
                raise ValidationError(
                    _(
                        "%(area)s is claimed by both %(one)s and %(other)s: an area "
                        "has one franchisee.",
                        area=vals.get("name"),
                        one=claimed[network_key].name,
                        other=franchisee.name,
                    )
                )
            claimed[network_key] = franchisee
        return super().create(vals_list)

    def write(self, vals):
        if "name" in vals or "franchisee_id" in vals:
            for area in self:
                franchisee = self.env["res.partner"].browse(
                    vals.get("franchisee_id", area.franchisee_id.id)
                )
                self._callgest_check_claim(
                    franchisee, vals.get("name", area.name), exclude=self.ids
                )
        return super().write(vals)
