from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

SETTLE_METHODS = [
    ("return", "Return to the client"),
    ("offset", "Offset against open invoices"),
]


class CallgestDepositSettleWizard(models.TransientModel):
    """Return or offset the deposit of a client whose service has ended."""

    _name = "callgest.deposit.settle.wizard"
    _description = "Settle the deposit of a terminated CallGest client"

    partner_id = fields.Many2one(
        "res.partner", string="Client", required=True, readonly=True
    )
    currency_id = fields.Many2one(related="partner_id.callgest_currency_id")
    deposit_held = fields.Monetary(
        related="partner_id.callgest_deposit_held", string="Deposit held"
    )
    method = fields.Selection(
        SETTLE_METHODS,
        required=True,
        default="return",
        help="Return: a credit note of the deposit, to pay back to the client. "
        "Offset: the same credit note, reconciled with the client's unpaid "
        "invoices, oldest first; what is left is to pay back.",
    )

    @api.model
    def _check_can_settle(self, partner):
        user = self.env.user
        if not (
            user.has_group("account.group_account_invoice")
            or user.has_group("callgest_base.group_callgest_supervisor")
        ):
            raise UserError(
                _("Only supervisors and accountants can settle a client's deposit.")
            )
        if partner.callgest_service_state != "terminated":
            raise UserError(
                _(
                    "The deposit of %(client)s is settled when its service is "
                    "terminated: terminate the service first.",
                    client=partner.display_name,
                )
            )
        deposits = partner._callgest_deposit_invoices_to_settle()
        if not deposits:
            raise UserError(
                _(
                    "%(client)s has no deposit left to settle: it was already "
                    "returned or offset, or never invoiced.",
                    client=partner.display_name,
                )
            )
        return deposits

    def action_settle(self):
        self.ensure_one()
        partner = self.partner_id
        deposits = self._check_can_settle(partner)
        # supervisors settle without access to accounting
        deposits = deposits.sudo()
        credit_notes = deposits._reverse_moves(
            default_values_list=[
                {
                    "ref": _("Deposit of %(invoice)s", invoice=deposit.name),
                    "invoice_date": fields.Date.context_today(self),
                }
                for deposit in deposits
            ]
        )
        credit_notes.action_post()
        # first what is still owed on the deposit itself, then the rest
        for deposit, credit_note in zip(deposits, credit_notes, strict=True):
            self._reconcile_with(credit_note, self._open_receivable_lines(deposit))
        if self.method == "offset":
            others = self._open_invoice_lines(partner, deposits)
            for credit_note in credit_notes:
                self._reconcile_with(credit_note, others)
        partner._callgest_invalidate_deposit()
        self._post_settlement_message(partner, credit_notes)
        action = {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "name": _("Deposit credit notes"),
        }
        if len(credit_notes) == 1:
            return dict(action, view_mode="form", res_id=credit_notes.id)
        return dict(
            action, view_mode="list,form", domain=[("id", "in", credit_notes.ids)]
        )

    @api.model
    def _open_receivable_lines(self, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )

    @api.model
    def _open_invoice_lines(self, partner, exclude):
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("move_id", "not in", exclude.ids),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                    ("company_id", "in", exclude.company_id.ids),
                ],
                order="date_maturity, date, id",
            )
        )

    @api.model
    def _reconcile_with(self, credit_note, debit_lines):
        """Reconcile the open receivable of ``credit_note`` with
        ``debit_lines`` in their order, until nothing is left of it."""
        for debit_line in debit_lines:
            credit_lines = self._open_receivable_lines(credit_note)
            if not credit_lines:
                return
            if debit_line.reconciled or debit_line.account_id != (
                credit_lines.account_id
            ):
                continue
            (credit_lines + debit_line).reconcile()

    def _post_settlement_message(self, partner, credit_notes):
        currency = credit_notes.currency_id[:1] or self.currency_id
        total = sum(credit_notes.mapped("amount_total"))
        left = sum(credit_notes.mapped("amount_residual"))
        method = dict(SETTLE_METHODS)[self.method]
        body = _(
            "Deposit settled (%(method)s): %(total)s credited by %(credit_notes)s, "
            "%(left)s left to pay back to the client.",
            method=method,
            total=format_amount(self.env, total, currency),
            credit_notes=Markup(", ").join(
                credit_note._get_html_link() for credit_note in credit_notes
            ),
            left=format_amount(self.env, left, currency),
        )
        partner.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
