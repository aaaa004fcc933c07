import secrets

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResourceResource(models.Model):
    """A professional of a client (a dentist, a lawyer...) as a bookable
    resource: his working hours are ``calendar_id``, his absences are its
    leaves for him, and one combination of his own lets resource_booking
    book him."""

    _inherit = "resource.resource"

    callgest_client_id = fields.Many2one(
        "res.partner",
        string="Client",
        index="btree_not_null",
        domain=[("is_callgest_client", "=", True)],
        help="The client whose agenda this professional belongs to.",
    )
    callgest_partner_id = fields.Many2one(
        "res.partner",
        string="Professional contact",
        help="The professional's contact (a professional of a collective or the "
        "client's own staff).",
    )
    callgest_combination_id = fields.Many2one(
        "resource.booking.combination",
        string="Booking combination",
        readonly=True,
        copy=False,
        help="The combination of this professional alone, through which "
        "resource_booking books him.",
    )
    callgest_ics_token = fields.Char(
        string="Calendar feed token",
        copy=False,
        groups="callgest_base.group_callgest_supervisor",
    )

    @api.constrains("callgest_client_id", "callgest_partner_id")
    def _check_callgest_professional(self):
        for resource in self.filtered("callgest_partner_id"):
            client = resource.callgest_client_id
            if not client:
                raise ValidationError(
                    _("Choose the client of the professional %s.", resource.name)
                )
            if resource.callgest_partner_id.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "%(professional)s is not a contact of %(client)s.",
                        professional=resource.callgest_partner_id.display_name,
                        client=client.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        resources = super().create(vals_list)
        resources.filtered("callgest_client_id")._callgest_ensure_combination()
        return resources

    def write(self, vals):
        result = super().write(vals)
        if vals.get("callgest_client_id"):
            self._callgest_ensure_combination()
        return result

    def _callgest_ensure_combination(self):
        Combination = self.env["resource.booking.combination"].sudo()
        for resource in self.filtered(lambda r: not r.callgest_combination_id):
            resource.sudo().callgest_combination_id = Combination.create(
                {"resource_ids": [fields.Command.set(resource.ids)]}
            )

    def action_callgest_new_ics_token(self):
        """A new private feed address; the old one stops working at once."""
        for resource in self:
            resource.sudo().callgest_ics_token = secrets.token_urlsafe(24)
        return True

    def action_callgest_revoke_ics_token(self):
        self.sudo().callgest_ics_token = False
        return True
