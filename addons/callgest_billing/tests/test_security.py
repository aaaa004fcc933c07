from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

# the accounting records a secretary never touches, and a supervisor only reads
ACCOUNTING_RECORDS = (
    "account.move",
    "account.move.line",
    "account.payment",
    "account.journal",
    "account.bank.statement.line",
)
# what a secretary needs of none of them: prices, balances, pending fees
BILLING_FIELDS = (
    "callgest_tariff_id",
    "callgest_effective_tariff_id",
    "callgest_billing_mode",
    "callgest_prepaid_balance",
    "callgest_prepaid_calls_left",
    "callgest_setup_fee_pending",
    "callgest_deposit_pending",
    "callgest_usage_pending_since",
)
OPERATIONS = ("read", "write", "create", "unlink")


class AccessCase(TransactionCase):
    def assertAccess(self, user, model, allowed):
        Model = self.env[model].with_user(user)
        for operation in OPERATIONS:
            with self.subTest(user=user.login, model=model, operation=operation):
                self.assertEqual(
                    Model.has_access(operation),
                    operation in allowed,
                    f"{user.login} {operation} {model}",
                )

    def assertNoAccountingWrite(self, user):
        """No create, write or delete on any account.* model (internal users
        read Odoo's chart, taxes and fiscal positions, as products need)."""
        models = self.env["ir.model"].search([("model", "=like", "account.%")])
        for model in models.filtered(lambda m: not m.transient).mapped("model"):
            Model = self.env[model].with_user(user)
            for operation in ("write", "create", "unlink"):
                with self.subTest(user=user.login, model=model, operation=operation):
                    self.assertFalse(Model.has_access(operation))


@tagged("post_install", "-at_install")
class TestBillingRoles(AccessCase):
    """Each CallGest role, with nothing else, gets what its work needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secretary = new_test_user(
            cls.env, "role_secretary", groups="callgest_base.group_callgest_secretary"
        )
        cls.supervisor = new_test_user(
            cls.env, "role_supervisor", groups="callgest_base.group_callgest_supervisor"
        )
        cls.accountant = new_test_user(
            cls.env,
            "role_accountant",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Roles Clinic", "is_callgest_client": True}
        )

    def test_secretary_has_no_accounting(self):
        for model in ACCOUNTING_RECORDS:
            self.assertAccess(self.secretary, model, ())
        self.assertNoAccountingWrite(self.secretary)

    def test_secretary_reads_no_price_balance_or_fee(self):
        for model in (
            "callgest.tariff",
            "callgest.tariff.rate",
            "callgest.usage",
            "callgest.prepaid.move",
            "callgest.usage.link",
        ):
            self.assertAccess(self.secretary, model, ())
        client = self.client.with_user(self.secretary)
        self.assertEqual(client.name, "Roles Clinic")
        for field_name in BILLING_FIELDS:
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                client.read([field_name])
        fields_seen = client.fields_get()
        self.assertFalse(set(BILLING_FIELDS) & set(fields_seen))

    def test_supervisor_reads_invoices_and_changes_none(self):
        for model in ("account.move", "account.move.line"):
            self.assertAccess(self.supervisor, model, ("read",))
        self.assertNoAccountingWrite(self.supervisor)
        self.assertAccess(self.supervisor, "callgest.tariff", ("read",))
        self.assertAccess(self.supervisor, "callgest.usage", ("read",))
        self.assertAccess(self.supervisor, "callgest.prepaid.move", ("read",))
        self.assertFalse(
            self.env["callgest.deposit.settle.wizard"]
            .with_user(self.supervisor)
            .has_access("create")
        )
        self.assertEqual(
            self.client.with_user(self.supervisor).callgest_billing_mode, "postpaid"
        )

    def test_accountant_invoices(self):
        self.assertAccess(
            self.accountant, "account.move", ("read", "write", "create", "unlink")
        )
        self.assertAccess(self.accountant, "callgest.usage", ("read", "write"))
        for model in (
            "callgest.invoicing.wizard",
            "callgest.usage.dispute.wizard",
            "callgest.deposit.settle.wizard",
        ):
            self.assertTrue(
                self.env[model].with_user(self.accountant).has_access("create")
            )
        self.assertEqual(
            self.client.with_user(self.accountant).callgest_billing_mode, "postpaid"
        )


@tagged("post_install", "-at_install", "demo_data")
class TestDemoUsers(AccessCase):
    """The demo users hold their role and no more, whatever the install order
    (Odoo's account gives Invoicing / Administrator to every internal user
    that exists when it is installed)."""

    def test_demo_secretary(self):
        user = self.env.ref("callgest_base.user_secretaria")
        self.assertFalse(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("account.group_account_readonly"))
        for model in ACCOUNTING_RECORDS:
            self.assertAccess(user, model, ())
        self.assertNoAccountingWrite(user)
        self.assertAccess(user, "callgest.tariff", ())

    def test_demo_supervisor(self):
        user = self.env.ref("callgest_base.user_supervisor")
        self.assertFalse(user.has_group("account.group_account_invoice"))
        self.assertTrue(user.has_group("account.group_account_readonly"))
        for model in ("account.move", "account.move.line", "account.payment"):
            self.assertAccess(user, model, ("read",))
        self.assertNoAccountingWrite(user)

    def test_demo_accountant(self):
        user = self.env.ref("callgest_billing.user_contable")
        self.assertTrue(user.has_group("account.group_account_manager"))
        self.assertFalse(user.has_group("callgest_base.group_callgest_secretary"))
        self.assertAccess(user, "account.move", ("read", "write", "create", "unlink"))
        self.assertTrue(
            self.env["callgest.invoicing.wizard"].with_user(user).has_access("create")
        )
