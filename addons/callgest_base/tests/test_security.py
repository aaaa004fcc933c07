from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CallgestBaseCommon


@tagged("post_install", "-at_install")
class TestSecurity(CallgestBaseCommon):
    def test_secretary_reads_clients_and_ddis(self):
        ddi = self.clinic_ddi.with_user(self.secretary)
        self.assertEqual(ddi.number, "+34933906700")
        self.assertEqual(ddi.partner_id.callgest_client_code, "9001")
        self.assertEqual(
            self.Ddi.with_user(self.secretary).resolve_number("933906700")["client_id"],
            self.clinic.id,
        )

    def test_secretary_cannot_change_a_ddi_client_or_state(self):
        ddi = self.clinic_ddi.with_user(self.secretary)
        with self.assertRaises(AccessError):
            ddi.partner_id = self.law_firm
        with self.assertRaises(AccessError):
            ddi.write({"state": "suspended"})
        with self.assertRaises(AccessError):
            ddi.action_suspend()
        with self.assertRaises(AccessError):
            ddi.action_release()
        with self.assertRaises(AccessError):
            self.Ddi.with_user(self.secretary).create(
                {"number_entered": "93 390 67 60", "country_id": self.spain.id}
            )
        self.clinic_ddi.invalidate_recordset()
        self.assertEqual(self.clinic_ddi.partner_id, self.clinic)
        self.assertEqual(self.clinic_ddi.state, "active")

    def test_secretary_cannot_change_a_service_account(self):
        # Secretaries may keep ordinary contacts up to date...
        caller = self.Partner.with_user(self.secretary).create({"name": "A caller"})
        caller.phone = "+34 600 000 001"
        # ...but not a client's service account.
        clinic = self.clinic.with_user(self.secretary)
        for field_name, value in (
            ("callgest_client_code", "9999"),
            ("callgest_service_state", "suspended"),
            ("callgest_service_level", "level_2"),
            ("is_callgest_client", False),
        ):
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                clinic.write({field_name: value})
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.secretary).create(
                {"name": "Self-made client", "is_callgest_client": True}
            )
        with self.assertRaises(AccessError):
            self.env["callgest.authorized.contact"].with_user(self.secretary).create(
                {"client_id": self.clinic.id, "partner_id": caller.id}
            )

    def test_supervisor_manages_clients_and_ddis(self):
        ddi = self.Ddi.with_user(self.supervisor).create(
            {"number_entered": "93 390 67 61", "country_id": self.spain.id}
        )
        ddi.partner_id = self.clinic
        ddi.action_activate()
        self.assertEqual(ddi.state, "active")
        self.clinic.with_user(self.supervisor).callgest_service_state = "suspended"
        self.assertEqual(self.clinic.callgest_service_state, "suspended")
        with self.assertRaises(AccessError):
            ddi.unlink()  # deleting is for managers; supervisors release numbers

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "CallGest Portugal"})
        other_client = self.Partner.create(
            {
                "name": "Lisbon only client",
                "is_callgest_client": True,
                "company_id": other_company.id,
            }
        )
        other_ddi = self.Ddi.with_company(other_company).create(
            {
                "number_entered": "217 000 355",
                "country_id": self.portugal.id,
                "partner_id": other_client.id,
                "company_id": other_company.id,
            }
        )
        # A secretary of the first company neither sees nor resolves it.
        self.assertNotIn(other_ddi, self.Ddi.with_user(self.secretary).search([]))
        self.assertFalse(self.Ddi.with_user(self.secretary)._resolve("+351217000355"))
        lisbon_secretary = new_test_user(
            self.env,
            login="lisbon_secretary",
            groups="callgest_base.group_callgest_secretary",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertEqual(
            self.Ddi.with_user(lisbon_secretary)._resolve("+351217000355"), other_ddi
        )
        # A DDI cannot belong to one company and be assigned to a client of another.
        with self.assertRaises(UserError):
            self.Ddi.create(
                {
                    "number_entered": "217 000 356",
                    "country_id": self.portugal.id,
                    "partner_id": other_client.id,
                    "company_id": self.env.company.id,
                }
            )


@tagged("post_install", "-at_install")
class TestClientAccountRemoval(CallgestBaseCommon):
    """Archiving, deleting or changing a client account is a supervisor's act;
    a secretary still keeps the callers' contacts up to date."""

    def test_secretary_cannot_archive_or_delete_a_client(self):
        for account in (self.clinic, self.lawyer):
            record = account.with_user(self.secretary)
            with self.subTest(account=account.name):
                with self.assertRaisesRegex(AccessError, "archive or restore"):
                    record.action_archive()
                with self.assertRaisesRegex(AccessError, "archive or restore"):
                    record.write({"active": False})
                with self.assertRaisesRegex(AccessError, "delete a client account"):
                    record.unlink()
                # the record rule: no other field of the account either
                with self.assertRaises(AccessError):
                    record.write({"name": "Renamed by a secretary"})
        self.assertTrue(self.clinic.active)
        self.assertEqual(self.clinic.name, "Test Clinic")
        self.assertTrue(self.lawyer.exists())

    def test_secretary_fixes_archives_and_deletes_a_caller(self):
        caller = self.Partner.with_user(self.secretary).create(
            {"name": "A caller", "parent_id": self.clinic.id, "type": "other"}
        )
        caller.write({"name": "A caller, spelt right", "phone": "+34 600 000 002"})
        caller.action_archive()
        self.assertFalse(caller.active)
        caller.unlink()
        self.assertFalse(caller.exists())

    def test_supervisor_archives_and_deletes_a_client(self):
        clinic = self.clinic.with_user(self.supervisor)
        clinic.action_archive()
        self.assertFalse(clinic.active)
        clinic.action_unarchive()
        self.assertTrue(clinic.active)
        spare = self.Partner.create({"name": "Spare", "is_callgest_client": True})
        spare.with_user(self.supervisor).unlink()
        self.assertFalse(spare.exists())


@tagged("post_install", "-at_install")
class TestPbxUser(CallgestBaseCommon):
    """The PBX's technical user reads nothing model-wide: resolve_number
    answers it for one DDI of its companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pbx = new_test_user(
            cls.env, login="test_pbx_base", groups="callgest_base.group_callgest_pbx"
        )

    def test_no_model_wide_read(self):
        for model in ("res.partner", "callgest.ddi", "callgest.authorized.contact"):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(self.pbx).has_access("read"))
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.pbx).search_read([], ["name", "vat"])
        with self.assertRaises(AccessError):
            self.clinic.with_user(self.pbx).read(["name"])

    def test_resolve_number_answers_one_ddi(self):
        payload = self.Ddi.with_user(self.pbx).resolve_number("933906700")
        self.assertEqual(payload["client_id"], self.clinic.id)
        self.assertEqual(payload["client_name"], "Test Clinic")
        self.assertTrue(payload["serve"])

    def test_resolve_number_keeps_to_the_pbx_companies(self):
        other = self.env["res.company"].create({"name": "Lisbon office"})
        self.clinic_ddi.sudo().company_id = other
        payload = self.Ddi.with_user(self.pbx).resolve_number("933906700")
        self.assertFalse(payload["ddi_id"])
        self.assertFalse(payload["client_id"])


@tagged("post_install", "-at_install")
class TestRpcArguments(CallgestBaseCommon):
    """Bad RPC input gets a clean UserError in the user's language."""

    def test_resolve_number_wants_text(self):
        Ddi = self.Ddi.with_user(self.secretary)
        for bad in (933906700, None, ["933906700"], {"n": 1}, 9.5):
            with (
                self.subTest(value=bad),
                self.assertRaisesRegex(UserError, "raw_number must be given as text"),
            ):
                Ddi.resolve_number(bad)
        payload = Ddi.resolve_number("")
        self.assertFalse(payload["ddi_id"])
        self.assertNotIn(None, payload.values())

    def test_message_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        Ddi = self.Ddi.with_user(self.secretary).with_context(lang="es_ES")
        with self.assertRaisesRegex(UserError, "raw_number debe indicarse como texto"):
            Ddi.resolve_number(933906700)
