"""Issue 13: the client's fees to invoice (and their currency) are
callgest_billing's fields now, no longer callgest_crm's. Their columns stay
on res_partner. callgest_billing already has an xmlid for the three stored
ones (it extended them); hand callgest_crm's xmlid of any other over to
callgest_billing, so that upgrading callgest_crm alone does not delete the
field (Odoo deletes a field whose only xmlid is of a module that no longer
defines it)."""

FIELDS = (
    "callgest_currency_id",
    "callgest_setup_fee_pending",
    "callgest_deposit_pending",
    "callgest_fees_pending_date",
)


def migrate(cr, version):
    names = [
        f"field_{model}__{field}"
        for model in ("res_partner", "res_users")
        for field in FIELDS
    ]
    cr.execute(
        """
        UPDATE ir_model_data crm
           SET module = 'callgest_billing'
         WHERE crm.module = 'callgest_crm'
           AND crm.model = 'ir.model.fields'
           AND crm.name IN %s
           AND EXISTS (SELECT 1 FROM ir_module_module m
                        WHERE m.name = 'callgest_billing' AND m.state IN
                              ('installed', 'to upgrade', 'to install'))
           AND NOT EXISTS (SELECT 1 FROM ir_model_data billing
                            WHERE billing.module = 'callgest_billing'
                              AND billing.name = crm.name)
        """,
        (tuple(names),),
    )
