from markupsafe import Markup

from odoo import models
from odoo.tools.misc import format_amount


class CallgestDelivery(models.Model):
    _inherit = "callgest.delivery"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("billable_event_id"):
            # the message was sent: its usage is the professional's
            self.env["callgest.usage"]._assign_event_professionals(
                self.billable_event_id
            )
        return result

    def _queue_email(self):
        """A prepaid client reads its balance in every email delivered to
        its recipients, recados, incidencias, digests and reports alike
        (seed 003: "em cada email ... pode consultar o seu saldo"): the
        amount and the plan calls left when the email is queued, in the
        recipient's language, at the foot of the email."""
        mail = super()._queue_email()
        # the client's account with the company of the recado or incidencia
        company = (
            self.message_id.company_id or self.incident_id.company_id or self.company_id
        )
        client = self.recipient_id.partner_id.sudo()
        if company:
            client = client.with_company(company)
        if mail and client.callgest_billing_mode == "prepaid":
            mail.body_html = Markup(mail.body_html or "") + self._prepaid_balance_html(
                client
            )
        return mail

    def _prepaid_balance_html(self, client):
        lang = self.recipient_id.lang or client.lang
        env = self.with_context(lang=lang).env
        return env["ir.qweb"]._render(
            "callgest_billing.delivery_prepaid_balance",
            {
                "balance": format_amount(
                    env, client.callgest_prepaid_balance, client.currency_id, lang
                ),
                "calls_left": max(client.callgest_prepaid_calls_left, 0),
            },
        )
