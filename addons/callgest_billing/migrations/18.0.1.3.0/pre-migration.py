"""The client's service settings become company-dependent (issue 13): each
plain column of res_partner turns into Odoo 18's jsonb form, keyed by the
partner's company, else the main company (the one that served every client so
far). The invoicing cursor is computed again from the usage, per company.
Run before the ORM sees the new definitions; a second run does nothing."""

from odoo.addons.callgest_base.tools.company_dependent import (
    main_company_id,
    to_company_dependent,
)

# column: whether an empty value (0, False) is kept, its fallback not being
# empty (0 s of transfer cap is no cap; 0 calls or 0.00 of warning are not the
# company's thresholds)
COLUMNS = {
    "callgest_tariff_id": False,
    "callgest_billing_currency_id": False,
    "callgest_agenda_modules": False,
    "callgest_own_sims": False,
    "callgest_transfer_cap_seconds": True,
    "callgest_billing_mode": False,
    "callgest_prepaid_exhausted_behaviour": False,
    "callgest_prepaid_warning_amount": True,
    "callgest_prepaid_warning_calls": True,
    "callgest_prepaid_warned": False,
    # the onboarding fees (callgest_crm's fields before issue 13)
    "callgest_setup_fee_pending": False,
    "callgest_deposit_pending": False,
    "callgest_fees_pending_date": False,
}


def migrate(cr, version):
    company_id = main_company_id(cr)
    for column, keep_empty in COLUMNS.items():
        to_company_dependent(cr, "res_partner", column, company_id, keep_empty)
    converted = to_company_dependent(
        cr, "res_partner", "callgest_usage_pending_since", company_id
    )
    if converted:
        # the earliest month each client has to invoice in each company
        cr.execute(
            """UPDATE res_partner partner
                  SET callgest_usage_pending_since = pending.since
                 FROM (SELECT partner_id,
                              jsonb_object_agg(company_id::text, period) AS since
                         FROM (SELECT partner_id, company_id, MIN(period) AS period
                                 FROM callgest_usage
                                WHERE state = 'to_invoice'
                             GROUP BY partner_id, company_id) AS earliest
                     GROUP BY partner_id) AS pending
                WHERE partner.id = pending.partner_id"""
        )
        cr.execute(
            """UPDATE res_partner SET callgest_usage_pending_since = NULL
                WHERE callgest_usage_pending_since IS NOT NULL
                  AND id NOT IN (SELECT partner_id FROM callgest_usage
                                  WHERE state = 'to_invoice')"""
        )
