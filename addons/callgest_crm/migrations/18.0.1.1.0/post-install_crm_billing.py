"""Issue 13: the onboarding fees (and the deposit invoice) moved to the bridge
callgest_crm_billing, which installs by itself with callgest_crm and
callgest_billing on a new database (auto_install) but not on an upgrade.
Install it here when billing is installed, so that onboarding keeps recording
the fees and invoicing the deposit. (The fees' columns on res_partner stay:
callgest_billing defines them now, under the xmlids it already had.)"""

from odoo.addons.callgest_base.tools.migration import install_bridge


def migrate(cr, version):
    install_bridge(cr, "callgest_crm_billing", "callgest_billing")
