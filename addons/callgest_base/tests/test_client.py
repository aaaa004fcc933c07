import psycopg2

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallgestBaseCommon


@tagged("post_install", "-at_install")
class TestClient(CallgestBaseCommon):
    def test_duplicate_client_code_is_refused(self):
        with self.assertRaises(ValidationError) as error:
            self.Partner.create(
                {
                    "name": "Copycat",
                    "is_callgest_client": True,
                    "callgest_client_code": "9001",
                }
            )
        self.assertIn("already used by Test Clinic", str(error.exception))
        with self.assertRaises(ValidationError):
            self.law_firm.callgest_client_code = "9001"

    def test_duplicate_client_code_is_refused_by_the_database(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "UPDATE res_partner SET callgest_client_code = '9001' "
                    "WHERE id = %s",
                    [self.law_firm.id],
                )

    def test_client_code_must_be_digits(self):
        for bad in ("A1", "1", "123456789", "12 3"):
            with self.subTest(code=bad), self.assertRaises(ValidationError) as error:
                self.clinic.callgest_client_code = bad
            self.assertIn("2 to 8 digits", str(error.exception))

    def test_find_client_by_dialed_code(self):
        self.assertEqual(
            self.Partner._callgest_find_client_by_code(" 9001 "), self.clinic
        )
        self.assertFalse(self.Partner._callgest_find_client_by_code("0000"))
        self.assertFalse(self.Partner._callgest_find_client_by_code(""))

    def test_service_state_dates_are_stamped(self):
        today = fields.Date.context_today(self.clinic)
        client = self.Partner.create(
            {
                "name": "New client",
                "is_callgest_client": True,
                "callgest_service_state": "onboarding",
            }
        )
        self.assertEqual(client.callgest_onboarding_date, today)
        client.callgest_service_state = "active"
        self.assertEqual(client.callgest_activation_date, today)
        client.write(
            {
                "callgest_service_state": "suspended",
                "callgest_suspension_date": "2026-01-31",
            }
        )
        self.assertEqual(
            client.callgest_suspension_date, fields.Date.to_date("2026-01-31")
        )
        client.callgest_service_state = "terminated"
        self.assertEqual(client.callgest_termination_date, today)
        # A form sends the empty date fields along with the new state.
        from_form = self.Partner.create(
            {
                "name": "Client from a form",
                "is_callgest_client": True,
                "callgest_service_state": "active",
                "callgest_activation_date": False,
            }
        )
        self.assertEqual(from_form.callgest_activation_date, today)

    def test_service_state_is_tracked(self):
        client = self.Partner.with_context(tracking_disable=False).create(
            {"name": "Tracked client", "is_callgest_client": True}
        )
        # As if created in an earlier transaction: Odoo does not track the
        # changes of a record within the transaction that created it.
        self.env.flush_all()
        self.env.cr.precommit.clear()
        client.callgest_service_state = "active"
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit
        values = client.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "callgest_service_state"
        )
        change = values.filtered(lambda value: value.new_value_char == "Active")
        self.assertEqual(len(change), 1)
        self.assertEqual(change.old_value_char, "Prospect")

    def test_collective_professionals_and_their_ddis(self):
        self.assertEqual(self.law_firm.callgest_professional_ids, self.lawyer)
        collective_ddi = self.create_ddi("910 600 150", self.spain, self.law_firm)
        own_ddi = self.create_ddi(
            "910 600 151", self.spain, self.law_firm, professional_id=self.lawyer.id
        )
        self.assertEqual(self.law_firm.callgest_ddi_ids, collective_ddi | own_ddi)
        self.assertEqual(self.lawyer.callgest_professional_ddi_ids, own_ddi)
        self.assertEqual(self.law_firm.callgest_ddi_count, 2)

    def test_invoice_partner_per_structure(self):
        reseller = self.Partner.create(
            {
                "name": "Reseller",
                "is_callgest_client": True,
                "callgest_client_type": "reseller",
            }
        )
        sub_client = self.Partner.create(
            {
                "name": "Sub-client",
                "is_callgest_client": True,
                "callgest_reseller_id": reseller.id,
                "callgest_invoice_grouping": "reseller",
            }
        )
        self.assertEqual(sub_client.callgest_invoice_partner_id, reseller)
        self.assertEqual(reseller.callgest_subclient_ids, sub_client)
        self.assertEqual(self.clinic.callgest_invoice_partner_id, self.clinic)
        self.law_firm.callgest_invoice_grouping = "professional"
        self.assertEqual(self.law_firm.callgest_invoice_partner_id, self.law_firm)

    def test_inconsistent_structures_are_refused(self):
        with self.assertRaises(ValidationError):
            self.clinic.callgest_reseller_id = self.law_firm  # not a reseller
        with self.assertRaises(ValidationError):
            self.clinic.callgest_invoice_grouping = "reseller"  # without reseller
        with self.assertRaises(ValidationError):
            self.clinic.callgest_invoice_grouping = "professional"  # not a collective

    def test_authorized_contacts(self):
        boss = self.Partner.create(
            {
                "name": "Dr. Boss",
                "parent_id": self.clinic.id,
                "email": "Boss@Clinic.example.com",
            }
        )
        desk = self.Partner.create(
            {
                "name": "Front desk",
                "parent_id": self.clinic.id,
                "email": "desk@clinic.example.com",
            }
        )
        Authorized = self.env["callgest.authorized.contact"]
        Authorized.create({"client_id": self.clinic.id, "partner_id": boss.id})
        Authorized.create(
            {
                "client_id": self.clinic.id,
                "partner_id": desk.id,
                "can_request_changes": False,
            }
        )
        self.assertEqual(len(self.clinic.callgest_authorized_contact_ids), 2)
        self.assertEqual(
            Authorized._find_authorized(
                self.clinic, email="boss@clinic.example.com"
            ).partner_id,
            boss,
        )
        self.assertFalse(
            Authorized._find_authorized(self.clinic, email="desk@clinic.example.com")
        )
        self.assertTrue(
            Authorized._find_authorized(
                self.clinic, email="desk@clinic.example.com", purpose="notifications"
            )
        )
        self.assertFalse(
            Authorized._find_authorized(self.clinic, email="intruder@example.com")
        )
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                Authorized.create({"client_id": self.clinic.id, "partner_id": boss.id})
        with self.assertRaises(ValidationError):
            Authorized.create(
                {"client_id": self.clinic.id, "partner_id": self.clinic.id}
            )
