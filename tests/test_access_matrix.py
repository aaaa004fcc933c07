"""The README's access matrix is what Odoo grants: every cell, every role.

Runs inside the test database through pytest-odoo (self.env). A role is a
user holding only that role's groups; a cell lists the operations its group
gives on the model (r read, w write, c create, d delete), ``-`` for none.
"""

import re
from pathlib import Path

from odoo.tests import common, new_test_user

README = Path(__file__).resolve().parent.parent / "README.md"
ROLES = {
    "secretary": "callgest_base.group_callgest_secretary",
    "supervisor": "callgest_base.group_callgest_supervisor",
    "manager": "callgest_base.group_callgest_manager",
    "accountant": "base.group_user,account.group_account_invoice",
    "pbx": "callgest_base.group_callgest_pbx",
    "portal": "base.group_portal",
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "d": "unlink"}


def access_matrix():
    """``{model: {role: set of operations}}`` from the README's table."""
    text = README.read_text(encoding="utf-8")
    table = re.search(
        r"<!-- access-matrix -->\n(.*?)<!-- /access-matrix -->", text, re.S
    ).group(1)
    header, _rule, *rows = [line for line in table.splitlines() if line.strip()]
    roles = [cell.strip() for cell in header.strip("|").split("|")][1:]
    matrix = {}
    for row in rows:
        model, *cells = [cell.strip() for cell in row.strip("|").split("|")]
        matrix[model.strip("`")] = {
            role: {OPERATIONS[letter] for letter in cell if letter in OPERATIONS}
            for role, cell in zip(roles, cells, strict=True)
        }
    return roles, matrix


class TestAccessMatrix(common.TransactionCase):
    def test_readme_matrix_is_what_odoo_grants(self):
        roles, matrix = access_matrix()
        self.assertEqual(roles, list(ROLES))
        self.assertGreaterEqual(len(matrix), 20)
        users = {
            role: new_test_user(self.env, login=f"matrix_{role}", groups=groups)
            for role, groups in ROLES.items()
        }
        for model, allowed in matrix.items():
            for role, operations in allowed.items():
                Model = self.env[model].with_user(users[role])
                for operation in OPERATIONS.values():
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            Model.has_access(operation),
                            operation in operations,
                            f"README: {role} {operation} {model}",
                        )
