from odoo import api, models


class CallgestInvoicing(models.AbstractModel):
    _inherit = "callgest.invoicing"

    @api.model
    def _agenda_clients(self, company, first, last):
        clients = super()._agenda_clients(company, first, last)
        professionals = (
            self.env["resource.resource"]
            .sudo()
            .search(
                [
                    ("callgest_client_id", "!=", False),
                    ("company_id", "in", (company.id, False)),
                ]
            )
        )
        clients |= clients.search(
            [
                ("id", "in", professionals.callgest_client_id.ids),
                ("company_id", "in", (company.id, False)),
                *self._in_service_domain(first, last),
            ]
        )
        return clients.filtered("callgest_agenda_modules_billed")

    @api.model
    def _agenda_modules(self, client):
        return client.callgest_agenda_modules_billed
