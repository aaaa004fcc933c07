from dateutil.relativedelta import relativedelta

from odoo import _, fields, models


def _previous_period(wizard):
    day = fields.Date.context_today(wizard) - relativedelta(months=1)
    return day.strftime("%Y-%m")


class CallgestInvoicingWizard(models.TransientModel):
    _name = "callgest.invoicing.wizard"
    _description = "CallGest: invoice a month"

    period = fields.Char(
        required=True, default=_previous_period, help="The month to invoice, YYYY-MM."
    )
    client_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        domain=[("is_callgest_client", "=", True)],
        help="Empty: every client with something to invoice.",
    )
    result = fields.Text(readonly=True)

    def _reopen(self, message):
        self.result = message
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_rerate(self):
        self.ensure_one()
        return self._reopen(
            self.env["callgest.invoicing"].rerate_period(
                self.period, self.client_ids.ids or None
            )
        )

    def action_run_in_background(self):
        """Queue the invoicing as a job of the current company; open its run."""
        self.ensure_one()
        run = self.env["callgest.invoicing.run"]._queue(
            self.period, client_ids=self.client_ids.ids
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": run._name,
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_run(self):
        self.ensure_one()
        moves, message = self.env["callgest.invoicing"]._run_period(
            self.period, self.client_ids.ids or None
        )
        if not moves:
            return self._reopen(message)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "name": _("CallGest invoices %(period)s", period=self.period),
                "domain": [("id", "in", moves.ids)],
                "context": {"default_move_type": "out_invoice"},
            }
        )
        return action
