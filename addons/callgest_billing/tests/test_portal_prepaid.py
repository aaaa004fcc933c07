import re
from urllib.parse import urlsplit

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestPortalPrepaid(AccountTestInvoicingCommon, HttpCase):
    """/my/prepaid: the authorized contacts of a prepaid client see its
    account and top it up by 20, 30 or 50 € (a posted invoice with the
    company's tax, paid on its portal page); the balance is credited once
    the invoice is paid. Another client's ids give 404; a postpaid client
    has no page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        # the accountant of the tests also manages the answering service
        cls.env.user.groups_id |= cls.env.ref("callgest_base.group_callgest_manager")
        Partner = cls.env["res.partner"]
        cls.prepaid, cls.other, cls.postpaid = (
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_callgest_client": True,
                    "callgest_client_code": code,
                    "country_id": cls.env.ref("base.es").id,
                    "tz": "Europe/Madrid",
                    "callgest_billing_mode": mode,
                }
            )
            for name, code, mode in (
                ("Prepaid Plumber", "9871", "prepaid"),
                ("Other Prepaid", "9872", "prepaid"),
                ("Postpaid Firm", "9873", "postpaid"),
            )
        )
        cls.users = {}
        for login, client in (
            ("pre_own", cls.prepaid),
            ("pre_other", cls.other),
            ("pre_post", cls.postpaid),
        ):
            contact = Partner.create({"name": login.title(), "parent_id": client.id})
            cls.users[login] = new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=contact.id,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            cls.env["callgest.authorized.contact"].create(
                {"client_id": client.id, "partner_id": contact.id}
            )
        Move = cls.env["callgest.prepaid.move"]
        cls.own_move, cls.other_move = Move.create(
            [
                {
                    "partner_id": client.id,
                    "kind": "adjustment",
                    "amount": 12.5,
                    "calls": 3,
                    "note": note,
                }
                for client, note in ((cls.prepaid, "Own gift"), (cls.other, "Secret"))
            ]
        )
        # IVA 21 % on the top-ups in this company (as l10n_es gives them)
        cls.iva = cls.env["account.tax"].create(
            {
                "name": "IVA 21% (test)",
                "amount": 21.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.top_ups = {
            amount: cls.env.ref(f"callgest_billing.product_prepaid_top_up_{amount}")
            for amount in (20, 30, 50)
        }
        for product in cls.top_ups.values():
            product.taxes_id = (
                product.taxes_id.filtered(lambda tax: tax.company_id != cls.company)
                | cls.iva
            )

    def _csrf(self, url="/my/prepaid"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _recharge(self, client, amount):
        response = self.url_open(
            "/my/prepaid/recharge",
            data={
                "csrf_token": self._csrf(),
                "client_id": client.id,
                "amount": amount,
            },
            allow_redirects=False,
        )
        self.env.invalidate_all()
        return response

    def _invoices(self, client):
        return self.env["account.move"].search(
            [("partner_id", "=", client.id), ("move_type", "=", "out_invoice")]
        )

    def _balance(self, client):
        return client.with_company(self.company).callgest_prepaid_balance

    def test_access_and_other_client_ids(self):
        self.authenticate("pre_own", "pre_own")
        page = self.url_open("/my/prepaid")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Own gift", page.text)
        self.assertNotIn("Secret", page.text)
        self.assertIn("Europe/Madrid", page.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_prepaid_balance"]}
        )
        self.assertIn("12.50", counters["callgest_prepaid_balance"])
        # the other client's account, GET and forged POST: 404, no invoice
        response = self.url_open(f"/my/prepaid?client_id={self.other.id}")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._recharge(self.other, 20).status_code, 404)
        self.assertFalse(self._invoices(self.other))
        # RPC: the own client's entries only, read only
        Move = self.env["callgest.prepaid.move"].with_user(self.users["pre_own"])
        self.assertEqual(Move.search([]), self.own_move)
        with self.assertRaises(AccessError):
            self.other_move.with_user(self.users["pre_own"]).read(["amount"])
        with self.assertRaises(AccessError):
            Move.create(
                {"partner_id": self.prepaid.id, "kind": "recharge", "amount": 1}
            )
        # the other client sees its own, not ours
        self.authenticate("pre_other", "pre_other")
        page = self.url_open("/my/prepaid")
        self.assertIn("Secret", page.text)
        self.assertNotIn("Own gift", page.text)
        self.assertEqual(
            self.url_open(f"/my/prepaid?client_id={self.prepaid.id}").status_code, 404
        )
        # a postpaid client: no card, no page, no top-up
        self.authenticate("pre_post", "pre_post")
        self.assertEqual(self.url_open("/my/prepaid").status_code, 404)
        response = self.url_open(
            "/my/prepaid/recharge",
            data={
                "client_id": self.postpaid.id,
                "amount": 20,
                "csrf_token": self._csrf("/my/account"),
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._invoices(self.postpaid))
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_prepaid_balance"]}
        )
        self.assertEqual(counters["callgest_prepaid_balance"], 0)

    def test_top_ups_invoiced_with_tax_and_credited_once_paid(self):
        self.authenticate("pre_own", "pre_own")
        # forged amounts: a clear error, nothing created
        for amount in (25, 96, "abc", ""):
            with self.subTest(amount=amount):
                response = self._recharge(self.prepaid, amount)
                self.assertEqual(response.status_code, 400)
                self.assertIn("o_callgest_prepaid_error", response.text)
                self.assertIn("20, 30, 50", response.text)
        self.assertFalse(self._invoices(self.prepaid))
        invoices = {}
        for amount, total in ((20, 24.20), (30, 36.30), (50, 60.50)):
            response = self._recharge(self.prepaid, amount)
            self.assertEqual(response.status_code, 303)
            invoice = self._invoices(self.prepaid) - sum(
                invoices.values(), self.env["account.move"]
            )
            invoices[amount] = invoice
            self.assertEqual(len(invoice), 1)
            self.assertEqual(
                urlsplit(response.headers["Location"]).path,
                f"/my/invoices/{invoice.id}",
            )
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(invoice.company_id, self.company)
            self.assertEqual(invoice.invoice_line_ids.product_id, self.top_ups[amount])
            self.assertEqual(invoice.invoice_line_ids.tax_ids, self.iva)
            self.assertAlmostEqual(invoice.amount_untaxed, amount)
            self.assertAlmostEqual(invoice.amount_total, total)
            # the invoice page opens for the user, to be paid there
            page = self.url_open(response.headers["Location"])
            self.assertEqual(page.status_code, 200)
            self.assertIn(invoice.name, page.text)
        # not paid yet: nothing credited
        self.assertAlmostEqual(self._balance(self.prepaid), 12.5)
        # paid: credited by the untaxed amount, once
        invoice = invoices[20]
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": invoice.invoice_date})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertFalse(self.env["callgest.prepaid.move"]._sync_recharges(invoice))
        self.env.invalidate_all()
        self.assertAlmostEqual(self._balance(self.prepaid), 32.5)
        credit = self.env["callgest.prepaid.move"].search(
            [("invoice_id", "=", invoice.id)]
        )
        self.assertEqual(credit.mapped("kind"), ["recharge"])
        self.assertIn(invoice.name, self.url_open("/my/prepaid").text)

    def test_tour_prepaid_top_up(self):
        self.start_tour("/my", "callgest_billing_portal_prepaid", login="pre_own")
        invoice = self._invoices(self.prepaid)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.top_ups[30])
        self.assertEqual(invoice.state, "posted")
