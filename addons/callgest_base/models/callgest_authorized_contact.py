from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize


class CallgestAuthorizedContact(models.Model):
    """A person allowed to act for a client towards the answering service.

    Protocol changes are accepted only in writing from a contact allowed to
    request them; notifications go to the contacts that receive them.
    """

    _name = "callgest.authorized.contact"
    _description = "CallGest authorized contact"
    _order = "client_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    client_id = fields.Many2one(
        "res.partner",
        required=True,
        ondelete="cascade",
        index=True,
        domain=[("is_callgest_client", "=", True)],
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="client_id.company_id", store=True, index=True, precompute=True
    )
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    function = fields.Char(related="partner_id.function")
    can_request_changes = fields.Boolean(
        string="May request protocol changes",
        default=True,
        help="Written change requests from this contact are accepted.",
    )
    receives_notifications = fields.Boolean(
        string="Receives notifications",
        default=True,
        help="This contact receives the client's messages and reports.",
    )
    note = fields.Char()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "client_partner_uniq",
            "unique(client_id, partner_id)",
            "This contact is already authorized for this client.",
        ),
    ]

    @api.depends("client_id", "partner_id")
    def _compute_display_name(self):
        for contact in self:
            contact.display_name = _(
                "%(contact)s for %(client)s",
                contact=contact.partner_id.name or "",
                client=contact.client_id.name or "",
            )

    @api.constrains("client_id", "partner_id")
    def _check_not_the_client(self):
        for contact in self:
            if contact.partner_id == contact.client_id:
                raise ValidationError(
                    _(
                        "Authorize a person of %(client)s, not the client itself.",
                        client=contact.client_id.display_name,
                    )
                )

    @api.model
    def _find_authorized(self, client, email=None, partner=None, purpose="changes"):
        """The active authorization of a sender for a client, if any.

        :param purpose: ``"changes"`` (protocol change requests) or
            ``"notifications"``.
        """
        domain = [("client_id", "=", client.commercial_partner_id.id)]
        domain.append(
            ("can_request_changes", "=", True)
            if purpose == "changes"
            else ("receives_notifications", "=", True)
        )
        if partner:
            domain.append(("partner_id", "=", partner.id))
        elif email:
            domain.append(("partner_id.email_normalized", "=", email_normalize(email)))
        else:
            return self.browse()
        return self.search(domain, limit=1)
