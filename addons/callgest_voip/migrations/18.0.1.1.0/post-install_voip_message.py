"""Issue 13: the missed-calls reports through the delivery engine moved to the
bridge callgest_voip_message, which installs by itself with callgest_voip and
callgest_message on a new database (auto_install) but not on an upgrade.
Install it here when callgest_message is installed, so that the reports keep
going to the clients' recipients."""

from odoo.addons.callgest_base.tools.migration import install_bridge


def migrate(cr, version):
    install_bridge(cr, "callgest_voip_message", "callgest_message")
