"""Smoke tests against the database `make test` prepared (stage 2)."""

import ast
from pathlib import Path

from odoo.tests import common

ADDONS_DIR = Path(__file__).resolve().parent.parent / "addons"


def callgest_addons():
    """The repository's installable callgest_* addons (as tools/dev.py sees them)."""
    names = []
    for manifest in sorted(ADDONS_DIR.glob("callgest_*/__manifest__.py")):
        if ast.literal_eval(manifest.read_text()).get("installable", True):
            names.append(manifest.parent.name)
    return names


def test_there_are_addons():
    assert callgest_addons(), f"no callgest_* addon in {ADDONS_DIR}"


def test_addons_installed_over_rpc(odoorpc_login):
    """admin/admin can log in over JSON-RPC and sees every addon installed."""
    client = odoorpc_login("admin", "admin")
    addons = callgest_addons()
    modules = client.env["ir.module.module"].search_read(
        [("name", "in", addons)], ["name", "state"]
    )
    assert {m["name"]: m["state"] for m in modules} == dict.fromkeys(
        addons, "installed"
    )


class TestAddonsInstalled(common.TransactionCase):
    """Runs inside the test database through pytest-odoo (self.env)."""

    def test_addons_installed_in_registry(self):
        addons = callgest_addons()
        modules = self.env["ir.module.module"].search([("name", "in", addons)])
        self.assertEqual(
            {module.name: module.state for module in modules},
            dict.fromkeys(addons, "installed"),
        )
        for name in addons:
            self.assertIn(name, self.env.registry._init_modules)
