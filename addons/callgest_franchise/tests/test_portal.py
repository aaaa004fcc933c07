from odoo.tests import HttpCase, tagged

from .common import FranchiseCommon


@tagged("post_install", "-at_install")
class TestFranchisePortal(FranchiseCommon, HttpCase):
    """The network's authorized contact manages its franchisees' areas and
    numbers at /my/franchisees; nobody else does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.env["res.partner"].create(
            {
                "name": "Network Manager",
                "parent_id": cls.network.id,
                "email": "m@r.example.com",
            }
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.network.id, "partner_id": cls.manager.id}
        )
        cls.manager_user = cls.env["res.users"].create(
            {
                "name": "Network Manager",
                "login": "franchise_manager",
                "password": "franchise_manager",
                "partner_id": cls.manager.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        # another network, another manager's
        cls.other_network = cls.network.copy(
            {"name": "Other Network", "callgest_client_code": "9141"}
        )
        cls.other_franchisee = cls.env["res.partner"].create(
            {
                "name": "Other Franchisee",
                "parent_id": cls.other_network.id,
                "callgest_is_professional": True,
                "callgest_franchise_area_ids": [(0, 0, {"name": "08"})],
            }
        )

    def save(self, franchisee, **data):
        return self.url_open(
            f"/my/franchisees/{franchisee.id}/save",
            data={"csrf_token": self.csrf_token(), **data},
        )

    def csrf_token(self):
        page = self.url_open(f"/my/franchisees/{self.franchisees['madrid'].id}")
        return page.text.split('name="csrf_token" value="')[1].split('"')[0]

    def test_list_and_edit(self):
        self.authenticate("franchise_manager", "franchise_manager")
        page = self.url_open("/my/franchisees")
        self.assertEqual(page.status_code, 200)
        for franchisee in self.franchisees.values():
            self.assertIn(franchisee.name, page.text)
        self.assertNotIn("Other Franchisee", page.text)
        madrid = self.franchisees["madrid"]
        answer = self.save(
            madrid,
            areas="28, 45, Guadalajara",
            transfers="Shop: 91 555 00 11\n611 222 333",
        )
        self.assertEqual(answer.status_code, 200)
        self.assertIn("/my/franchisees", answer.url)
        self.assertEqual(
            madrid.callgest_franchise_area_ids.mapped("key"),
            ["28", "45", "guadalajara"],
        )
        self.assertEqual(
            madrid.callgest_franchise_transfer_ids.mapped("number"),
            ["+34915550011", "+34611222333"],
        )
        self.assertIn("changed on the portal", self.network.message_ids[0].body)
        self.assertEqual(self.route("45001")["reason"], "covers")

    def test_bad_input_changes_nothing(self):
        self.authenticate("franchise_manager", "franchise_manager")
        madrid = self.franchisees["madrid"]
        for data, message in (
            ({"areas": "28, 99", "transfers": "91 555 00 11"}, "is not an area"),
            (
                {"areas": "28, 08", "transfers": "91 555 00 11"},
                "already covered by Repairs Barcelona",
            ),
            ({"areas": "28", "transfers": "12"}, "not a telephone number"),
            ({"areas": "28", "transfers": ""}, "at least one number"),
        ):
            with self.subTest(data=data):
                answer = self.save(madrid, **data)
                self.assertEqual(answer.status_code, 400)
                self.assertIn(message, answer.text)
                self.assertEqual(
                    madrid.callgest_franchise_area_ids.mapped("key"), ["28"]
                )
                self.assertEqual(
                    madrid.callgest_franchise_transfer_ids.mapped("number"),
                    ["+34910000001"],
                )

    def test_another_networks_franchisee(self):
        self.authenticate("franchise_manager", "franchise_manager")
        self.assertEqual(
            self.url_open(f"/my/franchisees/{self.other_franchisee.id}").status_code,
            404,
        )
        answer = self.save(self.other_franchisee, areas="46", transfers="91 555 00 11")
        self.assertEqual(answer.status_code, 404)
        self.assertEqual(
            self.other_franchisee.callgest_franchise_area_ids.mapped("key"), ["08"]
        )
        # the ORM: read-only, and only the own network's
        Area = self.env["callgest.franchise.area"].with_user(self.manager_user)
        self.assertFalse(
            Area.search([("franchisee_id", "=", self.other_franchisee.id)])
        )
        self.assertEqual(
            set(Area.search([]).mapped("franchisee_id.parent_id").ids),
            {self.network.id},
        )

    def test_portal_user_of_a_franchisee_reads_its_own(self):
        madrid = self.franchisees["madrid"]
        user = self.env["res.users"].create(
            {
                "name": "Madrid shop",
                "login": "franchise_madrid",
                "password": "franchise_madrid",
                "partner_id": madrid.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        Area = self.env["callgest.franchise.area"].with_user(user)
        self.assertEqual(Area.search([]).franchisee_id, madrid)
        self.authenticate("franchise_madrid", "franchise_madrid")
        self.assertEqual(self.url_open("/my/franchisees").status_code, 404)
