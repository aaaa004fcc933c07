from odoo import models


class CallgestCdrImporter(models.AbstractModel):
    _inherit = "callgest.cdr.importer"

    def _calls_stored(self, pbx, keys):
        result = super()._calls_stored(pbx, keys)
        calls = (
            self.env["callgest.call"]
            .sudo()
            .search([("pbx_id", "=", pbx.id), ("call_key", "in", list(keys))])
        )
        self.env["callgest.usage"]._rate_calls(calls)
        return result
