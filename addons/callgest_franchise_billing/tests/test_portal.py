import re

from odoo.tests import HttpCase, new_test_user, tagged

from .common import OCTOBER, FranchiseBillingCommon


@tagged("post_install", "-at_install")
class TestFranchisePortal(FranchiseBillingCommon, HttpCase):
    """``/my/franchise``: the network's manager sees each franchisee's
    calls, recados, seconds and cost; nobody else, and no other client's
    figures by its id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        manager = Partner.create(
            {"name": "Network manager", "parent_id": cls.network.id}
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.network.id, "partner_id": manager.id}
        )
        clinic_contact = Partner.create(
            {"name": "Clinic manager", "parent_id": cls.clinic.id}
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.clinic.id, "partner_id": clinic_contact.id}
        )
        for login, partner in (
            ("franchise_manager", manager),
            ("franchise_clinic", clinic_contact),
            ("franchise_owner", cls.barcelona),
        ):
            new_test_user(
                cls.env,
                login=login,
                password=login,
                groups="base.group_portal",
                partner_id=partner.id,
                company_id=cls.company.id,
            )
        # Barcelona: 10 s robot + 120 s secretary, its recado by hand;
        # the network: 10 s robot + 100 s secretary, never routed
        routing = cls.route(
            cls.barcelona, "600 00 00 21", cls.october(5).replace(second=30)
        )
        cls.network_call("+34600000021", cls.october(5), 120, robot=10)
        cls.send_recado(routing)
        cls.network_call("+34600000022", cls.october(6), 100, robot=10)

    def rows(self, html):
        """``{franchisee id or "network": [calls, recados, seconds, cost]}``."""
        rows = {}
        for ident, cells in re.findall(
            r'data-franchisee-id="(\w+)"[^>]*>(.*?)</tr>', html, re.S
        ):
            texts = [
                re.sub(r"<[^>]+>|\s+", " ", cell).strip()
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
            ]
            rows[ident] = texts[1:]
        return rows

    def test_the_manager_sees_the_breakdown(self):
        self.authenticate("franchise_manager", "franchise_manager")
        home = self.url_open("/my")
        self.assertIn('href="/my/franchise"', home.text)
        page = self.url_open(f"/my/franchise?month={OCTOBER}")
        self.assertEqual(page.status_code, 200)
        rows = self.rows(page.text)
        # Barcelona: 10 x 0.001 + 120 x 0.013 = 1.57, + 0.30 = 1.87
        self.assertEqual(rows[str(self.barcelona.id)][:3], ["1", "1", "130"])
        self.assertIn("1.87", rows[str(self.barcelona.id)][3])
        # Madrid: nothing this month
        self.assertEqual(rows[str(self.madrid.id)][:3], ["0", "0", "0"])
        # the network: 10 x 0.001 + 100 x 0.013 = 1.31
        self.assertEqual(rows["network"][:3], ["1", "0", "110"])
        self.assertIn("1.31", rows["network"][3])
        # its own network, by id
        again = self.url_open(
            f"/my/franchise?month={OCTOBER}&network={self.network.id}"
        )
        self.assertEqual(again.status_code, 200)

    def test_no_other_client_by_its_id(self):
        self.authenticate("franchise_manager", "franchise_manager")
        for other in (self.clinic, self.collective, self.barcelona):
            with self.subTest(other=other.name):
                response = self.url_open(f"/my/franchise?network={other.id}")
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Repair Barcelona", response.text)

    def test_not_a_network_manager(self):
        for login in ("franchise_clinic", "franchise_owner"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.assertNotIn('href="/my/franchise"', self.url_open("/my").text)
                response = self.url_open(f"/my/franchise?network={self.network.id}")
                self.assertEqual(response.status_code, 403)
                self.assertNotIn("Repair Barcelona", response.text)
