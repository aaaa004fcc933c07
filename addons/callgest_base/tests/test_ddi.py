import psycopg2

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallgestBaseCommon


@tagged("post_install", "-at_install")
class TestDdi(CallgestBaseCommon):
    def test_number_is_stored_in_e164_with_the_entered_form(self):
        ddi = self.clinic_ddi
        self.assertEqual(ddi.number, "+34933906700")
        self.assertEqual(ddi.number_entered, "93 390 67 00")
        self.assertEqual(ddi.number_national, "933 90 67 00")
        self.assertEqual(ddi.number_international, "+34 933 90 67 00")
        self.assertEqual(ddi.number_type, "fixed_line")
        self.assertEqual(ddi.number_region, "ES")

    def test_country_aware_parsing(self):
        lisbon = self.create_ddi("217 000 399", self.portugal)
        self.assertEqual(lisbon.number, "+351217000399")
        santiago = self.create_ddi("2 2345 6799", self.chile)
        self.assertEqual(santiago.number, "+56223456799")
        # An explicit international prefix wins over the country.
        foreign = self.create_ddi("+44 20 7946 0999", self.spain)
        self.assertEqual(foreign.number, "+442079460999")
        self.assertEqual(foreign.number_region, "GB")

    def test_international_prefix_00_needs_no_country(self):
        ddi = self.Ddi.create(
            {"number_entered": "0034 933 906 781", "country_id": False}
        )
        self.assertEqual(ddi.number, "+34933906781")
        with self.assertRaises(ValidationError) as error:
            self.Ddi.create({"number_entered": "933 906 782", "country_id": False})
        self.assertIn("use the +prefix", str(error.exception))

    def test_number_types_are_detected(self):
        self.assertEqual(
            self.create_ddi("900 100 299", self.spain).number_type, "toll_free"
        )
        self.assertEqual(
            self.create_ddi("902 100 299", self.spain).number_type, "shared_cost"
        )
        self.assertEqual(
            self.create_ddi("627 561 299", self.spain).number_type, "mobile"
        )

    def test_unparsable_or_impossible_number_is_refused(self):
        for bad in (
            "hello",
            "12345",
            "+34 999",
            "+999 123 456 789",
            "933 906 700 1234 5",
        ):
            with self.subTest(number=bad), self.assertRaises(ValidationError) as error:
                self.create_ddi(bad, self.spain)
            self.assertIn(bad, str(error.exception))
        self.assertFalse(self.Ddi.search([("number_entered", "=", "hello")]))

    def test_changing_to_a_bad_number_is_refused(self):
        with self.assertRaises(ValidationError):
            self.clinic_ddi.number_entered = "93 390"
        self.clinic_ddi.invalidate_recordset()
        self.assertEqual(self.clinic_ddi.number, "+34933906700")

    def test_number_already_in_use_is_refused(self):
        for same_number in ("+34933906700", "0034933906700", "933906700"):
            with (
                self.subTest(number=same_number),
                self.assertRaises(ValidationError) as error,
            ):
                self.create_ddi(same_number, self.spain)
            self.assertIn("already in use", str(error.exception))

    def test_database_refuses_two_live_ddis_for_one_number(self):
        """The partial unique index holds even when Python checks are bypassed."""
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "INSERT INTO callgest_ddi"
                    " (number_entered, number, state, company_id)"
                    " VALUES ('933906700', '+34933906700', 'available', %s)",
                    [self.env.company.id],
                )

    def test_released_number_can_come_back_as_a_new_ddi(self):
        self.clinic_ddi.action_release()
        self.assertEqual(self.clinic_ddi.state, "released")
        self.assertEqual(
            self.clinic_ddi.release_date, fields.Date.context_today(self.Ddi)
        )
        again = self.create_ddi("93 390 67 00", self.spain, self.law_firm)
        self.assertEqual(again.state, "active")
        self.assertEqual(self.Ddi._resolve("933906700"), again)

    def test_lifecycle(self):
        ddi = self.create_ddi("93 390 67 50", self.spain)
        self.assertEqual(ddi.state, "available")
        ddi.partner_id = self.clinic
        ddi.action_reserve()
        self.assertEqual(ddi.state, "reserved")
        self.assertTrue(ddi.reservation_date)
        ddi.action_activate()
        self.assertEqual(ddi.state, "active")
        self.assertEqual(ddi.activation_date, fields.Date.context_today(ddi))
        ddi.action_suspend()
        self.assertEqual(ddi.state, "suspended")
        ddi.action_activate()
        ddi.action_release_ported_out()
        self.assertEqual(ddi.state, "released")
        self.assertEqual(ddi.release_reason, "ported_out")
        with self.assertRaises(UserError):
            ddi.action_activate()
        with self.assertRaises(UserError):
            ddi.partner_id = self.law_firm

    def test_state_changes_are_tracked_in_the_chatter(self):
        ddi = self.Ddi.with_context(tracking_disable=False).create(
            {"number_entered": "93 390 67 51", "country_id": self.spain.id}
        )
        # As if created in an earlier transaction: Odoo does not track the
        # changes of a record within the transaction that created it.
        self.env.flush_all()
        self.env.cr.precommit.clear()
        ddi.partner_id = self.clinic
        ddi.action_activate()
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written at commit
        tracked = ddi.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        change = tracked.filtered(lambda value: value.new_value_char == "Active")
        self.assertEqual(len(change), 1)
        self.assertEqual(change.old_value_char, "Available")

    def test_activating_without_client_is_refused(self):
        ddi = self.create_ddi("93 390 67 52", self.spain)
        with self.assertRaises(UserError) as error:
            ddi.action_activate()
        self.assertIn("Choose a client", str(error.exception))
        with self.assertRaises(UserError):
            ddi.action_reserve()
        with self.assertRaises(ValidationError):
            ddi.write({"state": "active"})
        self.assertEqual(ddi.state, "available")

    def test_releasing_a_half_assigned_ddi_is_refused(self):
        half_assigned = self.create_ddi("93 390 67 53", self.spain)
        half_assigned.partner_id = self.clinic
        with self.assertRaises(UserError) as error:
            half_assigned.action_release()
        self.assertIn("half-assigned", str(error.exception))
        reserved = self.create_ddi(
            "93 390 67 54", self.spain, self.clinic, state="reserved"
        )
        with self.assertRaises(UserError) as error:
            reserved.action_release()
        self.assertIn("half-assigned", str(error.exception))
        self.assertEqual(reserved.state, "reserved")
        reserved.action_return_to_stock()
        self.assertFalse(reserved.partner_id)
        reserved.action_release()
        self.assertEqual(reserved.state, "released")

    def test_professional_must_belong_to_the_client(self):
        ddi = self.create_ddi(
            "910 600 199", self.spain, self.law_firm, professional_id=self.lawyer.id
        )
        self.assertEqual(ddi.professional_id, self.lawyer)
        with self.assertRaises(ValidationError):
            self.create_ddi(
                "910 600 198", self.spain, self.clinic, professional_id=self.lawyer.id
            )

    def test_search_by_any_written_form(self):
        for written in (
            "93 390 67 00",
            "+34933906700",
            "0034933906700",
            "+34 933 90 67 00",
            "390 67 00",
        ):
            with self.subTest(written=written):
                found = self.Ddi.search([("display_name", "ilike", written)])
                self.assertIn(self.clinic_ddi, found)
                self.assertIn(
                    self.clinic_ddi.id,
                    [rid for rid, _name in self.Ddi.name_search(written)],
                )
        self.assertNotIn(
            self.clinic_ddi, self.Ddi.search([("display_name", "ilike", "910 600")])
        )

    def test_resolver_for_every_form_a_pbx_sends(self):
        ddi = self.create_ddi(
            "910 600 197", self.spain, self.law_firm, professional_id=self.lawyer.id
        )
        for raw in (
            "93 390 67 00",
            "+34933906700",
            "0034933906700",
            "34933906700",
            "933906700",
            "sip:+34933906700@pbx.example.com",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(self.Ddi._resolve(raw), self.clinic_ddi)
        data = self.Ddi.resolve_number("0034910600197")
        self.assertEqual(data["ddi_id"], ddi.id)
        self.assertEqual(data["client_id"], self.law_firm.id)
        self.assertEqual(data["client_code"], "9002")
        self.assertEqual(data["professional_id"], self.lawyer.id)
        self.assertEqual(data["e164"], "+34910600197")
        # a client's DDI is served unless an addon's _serve_decision says not
        self.assertEqual(
            (data["serve"], data["serve_reason"], data["reason"]), (True, False, False)
        )

    def test_resolver_unknown_and_released(self):
        self.assertFalse(self.Ddi._resolve("+34 600 000 000"))
        self.assertFalse(self.Ddi._resolve(""))
        self.assertFalse(self.Ddi._resolve("anonymous"))
        self.assertEqual(
            self.Ddi.resolve_number("anonymous"),
            {
                "number": "anonymous",
                "ddi_id": False,
                "e164": False,
                "state": False,
                "client_id": False,
                "client_name": False,
                "client_code": False,
                "professional_id": False,
                "professional_name": False,
                "company_id": False,
            },
        )
        self.clinic_ddi.action_release()
        self.assertFalse(self.Ddi.resolve_number("933906700")["client_id"])

    def test_resolver_prefers_exact_international_match(self):
        """A national number may exist in two countries; E.164 disambiguates."""
        portuguese = self.create_ddi("+351 933 906 700", self.portugal, self.law_firm)
        self.assertEqual(self.Ddi._resolve("+351933906700"), portuguese)
        self.assertEqual(self.Ddi._resolve("0034933906700"), self.clinic_ddi)
        national = self.Ddi._resolve("933906700")
        self.assertIn(national, portuguese | self.clinic_ddi)
