from odoo import models


class CallgestCallItemMixin(models.AbstractModel):
    _inherit = "callgest.call.item.mixin"

    def _delivery_recipients(self):
        """A franchisee's recado goes to its own recipients; without any, to
        the network's general ones, as a recado of the network itself does
        (a recipient of one franchisee never gets another's)."""
        recipients = super()._delivery_recipients()
        own = recipients.filtered(
            lambda recipient: (
                recipient.franchisee_id
                and recipient.franchisee_id == self.professional_id
            )
        )
        return own or recipients.filtered(lambda recipient: not recipient.franchisee_id)
