from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CallgestBaseCommon


@tagged("post_install", "-at_install")
class TestPortalAccess(CallgestBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.director = cls.Partner.create(
            {"name": "Clinic director", "parent_id": cls.clinic.id, "lang": "es_ES"}
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.clinic.id, "partner_id": cls.director.id}
        )

    def test_supervisor_opens_the_portal_wizard_for_authorized_contacts(self):
        action = self.clinic.with_user(self.supervisor).action_callgest_portal_access()
        self.assertEqual(action["res_model"], "portal.wizard")
        wizard = (
            self.env["portal.wizard"]
            .with_user(self.supervisor)
            .with_context(**action["context"])
            .create({})
        )
        self.assertIn(self.director, wizard.user_ids.partner_id)
        director_line = wizard.user_ids.filtered(
            lambda line: line.partner_id == self.director
        )
        director_line.email = "director@clinic.example.com"
        director_line.action_grant_access()
        user = self.director.user_ids
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertFalse(user._is_internal())
        # Odoo's wizard writes its invitation in the user's language
        self.assertEqual(user.lang, "es_ES")

    def test_secretary_grants_no_portal_access(self):
        with self.assertRaises(AccessError):
            self.clinic.with_user(self.secretary).action_callgest_portal_access()
