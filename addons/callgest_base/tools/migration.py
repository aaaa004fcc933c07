"""Helpers for the addons' migration scripts."""

from odoo import SUPERUSER_ID, api

INSTALLED_STATES = ("installed", "to upgrade", "to install")


def install_bridge(cr, bridge, other):
    """Install the bridge addon ``bridge`` when ``other`` is installed.

    A bridge's ``auto_install`` fires when a database installs its
    dependencies, not when an upgrade (``-u``) moves code into a new bridge:
    the migration of the addon the code left calls this instead."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Module = env["ir.module.module"]
    bridge_module = Module.search(
        [("name", "=", bridge), ("state", "=", "uninstalled")]
    )
    if bridge_module and Module.search_count(
        [("name", "=", other), ("state", "in", INSTALLED_STATES)]
    ):
        bridge_module.button_install()
