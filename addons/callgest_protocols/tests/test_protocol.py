import json
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

from .common import (
    CLINIC_DDI,
    CallgestProtocolsCommon,
    caller_entries,
    create_calendar,
    transfers,
)

GREETING = "{greeting}, {client}, le atiende {secretary}"


@tagged("post_install", "-at_install")
class TestProtocol(CallgestProtocolsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = create_calendar(cls.env, "Test Mon-Fri 8-21", 8.0, 21.0)
        # Tuesday 8 December 2026, a national holiday in Spain
        cls.calendar.callgest_add_holidays([("2026-12-08", "Inmaculada", "national")])
        cls.clinic.callgest_calendar_id = cls.calendar
        cls.protocol, cls.version = cls.create_protocol(
            cls.clinic,
            greeting=GREETING,
            out_of_hours_behaviour="on_call_cascade",
            out_of_hours_message="Closed: transferring to the person on call.",
            transfer_target_ids=transfers(("934 150 200", 20), ("+34 627 561 101", 30)),
            caller_entry_ids=caller_entries(
                ("+34 600 100 200", "vip", "Paciente VIP"),
                ("+34 902*", "blacklist", "Telemarketing"),
            ),
            on_call_shift_ids=[
                # Sunday 22 Nov 2026 21:00 to Monday 08:00, Madrid time
                Command.create(
                    {
                        "start": datetime(2026, 11, 22, 20, 0),
                        "end": datetime(2026, 11, 23, 7, 0),
                        "name": "Dra. Guardia",
                        "phone": "+34 600 999 888",
                    }
                ),
                # the holiday, all day
                Command.create(
                    {
                        "start": datetime(2026, 12, 7, 23, 0),
                        "end": datetime(2026, 12, 8, 23, 0),
                        "name": "Dr. Festivo",
                        "phone": "+34 600 999 777",
                    }
                ),
            ],
        )

    def lookup(self, when, caller="+34 611 222 333", ddi=CLINIC_DDI, user=None):
        result = self.Protocol.with_user(user or self.secretary).lookup(
            ddi, caller, when
        )
        json.dumps(result)  # what goes over RPC
        return result

    def test_open_on_a_weekday(self):
        result = self.lookup("2026-11-23T10:00")  # a Monday
        self.assertEqual(result["client"], "Test Clinic")
        self.assertEqual(result["client_id"], self.clinic.id)
        self.assertEqual(result["ddi"], CLINIC_DDI)
        self.assertFalse(result["reason"])
        self.assertTrue(result["open"])
        self.assertFalse(result["out_of_hours"])
        self.assertEqual(result["protocol_version"], 1)
        self.assertEqual(result["local_time"], "2026-11-23T10:00:00+01:00")
        self.assertEqual(result["next_change"], "2026-11-23T21:00:00+01:00")
        self.assertEqual(
            result["greeting"], "Good morning, Test Clinic, le atiende test_secretary"
        )
        targets = result["transfer_targets"]
        self.assertEqual(
            [t["number"] for t in targets], ["+34934150200", "+34627561101"]
        )
        self.assertEqual([t["start_offset"] for t in targets], [0, 20])
        self.assertEqual([t["ring_seconds"] for t in targets], [20, 30])
        self.assertTrue(all(t["included"] for t in targets))
        self.assertFalse(result["caller_category"])

    def test_closed_on_sunday_night(self):
        result = self.lookup("2026-11-22T23:00")
        self.assertFalse(result["open"])
        self.assertEqual(result["next_change"], "2026-11-23T08:00:00+01:00")
        self.assertEqual(
            result["out_of_hours"],
            {
                "behaviour": "on_call_cascade",
                "message": "Closed: transferring to the person on call.",
                "voicemail_email": False,
                "on_call": {"name": "Dra. Guardia", "phone": "+34 600 999 888"},
            },
        )
        self.assertEqual(result["greeting"][:12], "Good evening")

    def test_closed_on_a_national_holiday(self):
        result = self.lookup("2026-12-08T10:00")  # a Tuesday, at 10:00
        self.assertFalse(result["open"])
        self.assertEqual(result["next_change"], "2026-12-09T08:00:00+01:00")
        self.assertEqual(result["out_of_hours"]["on_call"]["name"], "Dr. Festivo")
        # the day before is an ordinary working day
        self.assertTrue(self.lookup("2026-12-07T20:59")["open"])

    def test_caller_lists(self):
        vip = self.lookup("2026-11-23T10:00", caller="600 100 200")
        self.assertEqual(vip["caller_category"], "vip")
        self.assertEqual(vip["caller_reason"], "Paciente VIP")
        spam = self.lookup("2026-11-23T10:00", caller="0034 902 123 456")
        self.assertEqual(spam["caller_category"], "blacklist")
        withheld = self.lookup("2026-11-23T10:00", caller="")
        self.assertFalse(withheld["caller_category"])

    def test_unknown_and_released_ddi(self):
        unknown = self.lookup("2026-11-23T10:00", ddi="+34 911 000 000")
        self.assertFalse(unknown["client"])
        self.assertEqual(unknown["reason"], "unknown_ddi")
        self.assertEqual(unknown["transfer_targets"], [])
        self.assertFalse(unknown["open"] or unknown["greeting"])
        known = self.lookup("2026-11-23T10:00")
        self.assertEqual(set(unknown), set(known))
        released = self.create_ddi("93 390 67 55", self.spain, self.clinic)
        self.assertTrue(self.lookup(None, ddi="933906755")["client"])
        released.action_release()
        result = self.lookup(None, ddi="933906755")
        self.assertFalse(result["client"])
        self.assertEqual(result["reason"], "unknown_ddi")

    def test_lookup_carries_the_serve_decision_of_resolve_number(self):
        """The PBX and the console read one decision: callgest.ddi's
        ``_serve_decision`` hook, which resolve_number answers too."""
        result = self.lookup("2026-11-23T10:00")
        resolved = (
            self.env["callgest.ddi"]
            .with_user(self.secretary)
            .resolve_number(CLINIC_DDI)
        )
        self.assertIs(result["serve"], True)
        self.assertIs(result["serve_reason"], False)
        self.assertEqual(
            (result["serve"], result["serve_reason"]),
            (resolved["serve"], resolved["serve_reason"]),
        )
        # no client to serve on an unknown number
        unknown = self.lookup("2026-11-23T10:00", ddi="+34 911 000 000")
        self.assertEqual((unknown["serve"], unknown["serve_reason"]), (False, False))

    def test_ddi_protocol_overrides_the_client(self):
        ddi = self.create_ddi("93 390 67 56", self.spain, self.clinic)
        protocol = self.Protocol.create(
            {"partner_id": self.clinic.id, "ddi_id": ddi.id}
        )
        self.Version.create(
            {
                "protocol_id": protocol.id,
                "state": "active",
                "greeting": "Urgencias {client}",
                "max_transfer_seconds": 25,
                "transfer_target_ids": [
                    Command.create({"number": "600 111 222", "ring_seconds": 20}),
                    Command.create({"number": "600 111 333", "ring_seconds": 20}),
                    Command.create({"number": "600 111 444", "ring_seconds": 20}),
                ],
            }
        )
        result = self.lookup("2026-11-23T10:00", ddi="933906756")
        self.assertEqual(result["greeting"], "Urgencias Test Clinic")
        self.assertEqual(result["protocol_id"], protocol.id)
        targets = result["transfer_targets"]
        self.assertEqual([t["ring_seconds"] for t in targets], [20, 5, 0])
        self.assertEqual([t["included"] for t in targets], [True, True, False])
        self.assertEqual(
            self.lookup("2026-11-23T10:00")["protocol_id"], self.protocol.id
        )
        # one protocol per DDI
        with self.assertRaises(ValidationError):
            self.Protocol.create({"partner_id": self.clinic.id, "ddi_id": ddi.id})

    def test_no_protocol(self):
        result = self.lookup("2026-11-23T10:00", ddi="+34 910 111 222")
        self.assertEqual(result["reason"], "unknown_ddi")
        self.create_ddi("93 390 67 57", self.spain, self.law_firm)
        result = self.lookup("2026-11-23T10:00", ddi="933906757")
        self.assertEqual(result["client"], "Test Law Firm")
        self.assertEqual(result["reason"], "no_protocol")
        self.assertFalse(result["protocol_version"])
        self.assertEqual(result["transfer_targets"], [])

    def test_two_active_versions_are_refused(self):
        with self.assertRaises(ValidationError):
            self.Version.create({"protocol_id": self.protocol.id, "state": "active"})
        draft = self.Version.create({"protocol_id": self.protocol.id})
        self.assertEqual(draft.version, 2)
        with self.assertRaises(ValidationError):
            draft.write({"state": "active"})
        self.env.flush_all()
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE callgest_protocol_version SET state = 'active' WHERE id = %s",
                [draft.id],
            )

    def test_approval_flow(self):
        action = self.protocol.with_user(self.supervisor).action_new_draft()
        draft = self.Version.browse(action["res_id"])
        self.assertEqual((draft.state, draft.version), ("draft", 2))
        self.assertEqual(len(draft.transfer_target_ids), 2)
        self.assertEqual(len(draft.caller_entry_ids), 2)
        self.assertEqual(len(draft.on_call_shift_ids), 2)
        self.assertNotEqual(draft.transfer_target_ids, self.version.transfer_target_ids)
        with self.assertRaises(AccessError):
            draft.with_user(self.secretary).action_approve()
        with self.assertRaises(UserError):
            draft.with_user(self.supervisor).action_approve()
        draft.with_user(self.supervisor).write(
            {"change_summary": "New greeting", "greeting": "Hola {client}"}
        )
        draft.with_user(self.supervisor).action_approve()
        self.assertEqual(draft.state, "active")
        self.assertEqual(draft.approved_by_id, self.supervisor)
        self.assertTrue(draft.approved_at)
        self.assertEqual(self.version.state, "archived")
        self.assertEqual(self.protocol.active_version_id, draft)
        self.assertEqual(len(self.protocol.version_ids), 2)
        result = self.lookup("2026-11-23T10:00")
        self.assertEqual(result["protocol_version"], 2)
        self.assertEqual(result["greeting"], "Hola Test Clinic")
        with self.assertRaises(UserError):
            draft.with_user(self.supervisor).action_approve()
        # a secretary reads protocols but does not change them
        with self.assertRaises(AccessError):
            draft.with_user(self.secretary).write({"greeting": "x"})

    def test_invalid_lines_are_refused(self):
        self.version.protocol_id.action_new_draft()
        draft = self.version.protocol_id.version_ids.filtered(
            lambda v: v.state == "draft"
        )
        with self.assertRaises(ValidationError):
            draft.write({"transfer_target_ids": [Command.create({"number": "12"})]})
        with self.assertRaises(ValidationError):
            draft.transfer_target_ids[0].number = "not a number"
        with self.assertRaises(ValidationError):
            draft.write(
                {
                    "transfer_target_ids": [
                        Command.create({"number": "600 111 222", "ring_seconds": 0})
                    ]
                }
            )
        with self.assertRaises(ValidationError):
            draft.write({"caller_entry_ids": [Command.create({"pattern": "*"})]})
        with self.assertRaises(ValidationError):
            draft.write(
                {
                    "on_call_shift_ids": [
                        Command.create(
                            {
                                "start": datetime(2026, 11, 23, 8, 0),
                                "end": datetime(2026, 11, 23, 8, 0),
                                "name": "Nobody",
                            }
                        )
                    ]
                }
            )

    def test_lookup_by_the_pbx_user(self):
        pbx = new_test_user(
            self.env, login="test_pbx", groups="callgest_base.group_callgest_pbx"
        )
        result = self.lookup("2026-11-23T10:00", user=pbx)
        self.assertEqual(result["client"], "Test Clinic")
        self.assertTrue(result["open"])
        self.assertEqual(len(result["transfer_targets"]), 2)
        with self.assertRaises(AccessError):
            self.version.with_user(pbx).write({"greeting": "x"})
        with self.assertRaises(AccessError):
            self.Protocol.with_user(pbx).create({"partner_id": self.law_firm.id})

    def test_pbx_user_reads_nothing_model_wide(self):
        """It needs lookup, which answers for one DDI: no read of protocols,
        caller lists, on-call shifts, transfer targets or partners."""
        pbx = new_test_user(
            self.env, login="test_pbx_noread", groups="callgest_base.group_callgest_pbx"
        )
        for model in (
            "callgest.protocol",
            "callgest.protocol.version",
            "callgest.protocol.caller.entry",
            "callgest.protocol.on.call.shift",
            "callgest.protocol.transfer.target",
            "callgest.protocol.call.type",
            "callgest.protocol.question",
            "callgest.protocol.snippet",
            "res.partner",
            "callgest.ddi",
            "resource.calendar",
        ):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(pbx).has_access("read"))
        with self.assertRaises(AccessError):
            self.version.with_user(pbx).read(["greeting"])
        # and still pops the screen for its DDI
        self.assertEqual(
            self.lookup("2026-11-23T10:00", user=pbx)["client"], "Test Clinic"
        )

    def test_lookup_arguments_are_checked(self):
        Protocol = self.Protocol.with_user(self.secretary)
        for args, kwargs, message in (
            ((["9339"],), {}, "ddi_number must be given as text"),
            ((933906700,), {}, "ddi_number must be given as text"),
            ((CLINIC_DDI, 600100200), {}, "caller_number must be given as text"),
            ((CLINIC_DDI, None, ["2026-11-23"]), {}, "when must be given as text"),
            (
                (CLINIC_DDI,),
                {"agent_login": ["admin"]},
                "agent_login must be given as text",
            ),
        ):
            with (
                self.subTest(args=args, kwargs=kwargs),
                self.assertRaisesRegex(UserError, message),
            ):
                Protocol.lookup(*args, **kwargs)
        result = Protocol.lookup(CLINIC_DDI, None, None, None)
        self.assertEqual(result["client"], "Test Clinic")
        self.assertNotIn(None, result.values())
        unknown = Protocol.lookup("", False)
        self.assertEqual(unknown["reason"], "unknown_ddi")
        self.assertNotIn(None, unknown.values())

    def test_when_naive_and_with_offset(self):
        naive = self.lookup("2026-11-23T10:00")
        self.assertEqual(naive["local_time"], "2026-11-23T10:00:00+01:00")
        utc = self.lookup("2026-11-23T10:00:00+00:00")
        self.assertEqual(utc["local_time"], "2026-11-23T11:00:00+01:00")
        late = self.lookup("2026-11-23T20:30:00Z")  # 21:30 in Madrid
        self.assertFalse(late["open"])
        self.assertTrue(self.lookup("2026-11-23T20:30")["open"])
        self.assertTrue(self.lookup(None)["local_time"])
        with self.assertRaises(UserError):
            self.lookup("yesterday")

    def test_lookup_takes_a_few_queries(self):
        """Closed, so with the on-call shifts: the DDI, the client, (its
        billing mode as superuser, when callgest_billing is installed), the
        protocol, its active version with its lines, the shifts. The hours
        and holidays are cached per calendar. A secretary's record rules
        cost a few more (the version's, the companies' of the partner's)."""
        pbx = new_test_user(
            self.env,
            login="test_pbx_queries",
            groups="callgest_base.group_callgest_pbx",
        )
        for user, queries in ((self.secretary, 9), (pbx, 5)):
            with self.subTest(user=user.login):
                self.lookup("2026-11-23T10:00", user=user)  # warm the caches
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                result = self.lookup("2026-11-22T23:00", user=user)
                self.assertLessEqual(self.env.cr.sql_log_count - before, queries)
                on_call = result["out_of_hours"]["on_call"]
                self.assertEqual(on_call["name"], "Dra. Guardia")

    def test_lookup_sees_changes_of_hours_holidays_and_version_at_once(self):
        """The hours and holidays are cached per calendar: a change of either,
        made by the ORM, is seen by the very next lookup, as is a new
        version and a new transfer target."""
        pbx = new_test_user(
            self.env, login="test_pbx_cache", groups="callgest_base.group_callgest_pbx"
        )
        monday_10, wednesday_10 = "2026-11-23T10:00", "2026-11-25T10:00"
        for user in (self.secretary, pbx):
            self.assertTrue(self.lookup(monday_10, user=user)["open"])  # cached
        # hours: Monday now opens at 11:00
        monday = self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "0")
        monday.hour_from = 11.0
        for user in (self.secretary, pbx):
            result = self.lookup(monday_10, user=user)
            self.assertFalse(result["open"])
            self.assertEqual(result["next_change"], "2026-11-23T11:00:00+01:00")
        # a new attendance through the calendar
        self.calendar.write(
            {
                "attendance_ids": [
                    Command.create(
                        {
                            "name": "Monday early",
                            "dayofweek": "0",
                            "hour_from": 9.0,
                            "hour_to": 10.5,
                            "day_period": "morning",
                        }
                    )
                ]
            }
        )
        self.assertTrue(self.lookup(monday_10)["open"])
        # holidays: Wednesday 25 becomes one, then is removed
        self.assertTrue(self.lookup(wednesday_10)["open"])
        leaves = self.calendar.callgest_add_holidays(
            [("2026-11-25", "Fiesta local", "local")]
        )
        result = self.lookup(wednesday_10, user=pbx)
        self.assertFalse(result["open"])
        self.assertEqual(result["next_change"], "2026-11-26T08:00:00+01:00")
        leaves.date_to = leaves.date_from  # no whole day any more
        self.assertTrue(self.lookup(wednesday_10, user=pbx)["open"])
        leaves.unlink()
        self.assertTrue(self.lookup(wednesday_10)["open"])
        # another calendar for the client, and a timezone of its own
        other = self.calendar.copy({"name": "Copy", "tz": "Europe/Madrid"})
        other.attendance_ids.filtered(lambda a: a.dayofweek == "2").unlink()
        self.clinic.callgest_calendar_id = other
        self.assertFalse(self.lookup(wednesday_10)["open"])
        self.clinic.tz = "Atlantic/Canary"  # one hour behind Madrid
        result = self.lookup("2026-11-23T10:00:00+01:00")
        self.assertEqual(result["local_time"], "2026-11-23T09:00:00+00:00")
        self.assertTrue(result["open"])  # 09:00 in the 9:00-10:30 attendance
        # a new version and a new transfer target of a draft, once approved
        action = self.protocol.with_user(self.supervisor).action_new_draft()
        draft = self.Version.browse(action["res_id"])
        draft.with_user(self.supervisor).write(
            {
                "change_summary": "Third target",
                "transfer_target_ids": [
                    Command.create({"number": "+34 600 000 111", "ring_seconds": 10})
                ],
            }
        )
        self.assertEqual(self.lookup(monday_10, user=pbx)["protocol_version"], 1)
        draft.with_user(self.supervisor).action_approve()
        result = self.lookup(monday_10, user=pbx)
        self.assertEqual(result["protocol_version"], 2)
        self.assertEqual(len(result["transfer_targets"]), 3)


@tagged("post_install", "-at_install")
class TestVersionEditing(TransactionCase):
    def test_editing_an_active_version_needs_a_draft(self):
        client = self.env["res.partner"].create(
            {"name": "Frozen client", "is_callgest_client": True}
        )
        protocol = self.env["callgest.protocol"].create({"partner_id": client.id})
        version = self.env["callgest.protocol.version"].create(
            {"protocol_id": protocol.id, "greeting": "Hola", "state": "active"}
        )
        with self.assertRaises(UserError) as error:
            version.greeting = "Adiós"
        self.assertIn("create a new draft", str(error.exception))
        self.assertEqual(version.greeting, "Hola")
        protocol.action_new_draft()
        draft = protocol.version_ids.filtered(lambda v: v.state == "draft")
        draft.greeting = "Adiós"
        self.assertEqual(draft.greeting, "Adiós")


@tagged("post_install", "-at_install")
class TestLookupPopsTheAgent(CallgestBaseCommon):
    def test_lookup_with_agent_login_notifies_her_console(self):
        pbx = new_test_user(
            self.env,
            login="test_pbx_pop",
            groups="callgest_base.group_callgest_pbx",
        )
        Protocol = self.env["callgest.protocol"]
        result = Protocol.with_user(pbx).lookup(
            "933906700", "600 111 222", agent_login=self.secretary.login
        )
        self.assertEqual(result["client"], "Test Clinic")
        self.env.cr.precommit.run()  # bus notifications are written at commit
        notification = self.env["bus.bus"].search(
            [("message", "ilike", "callgest_console/incoming_call")],
            order="id desc",
            limit=1,
        )
        payload = json.loads(notification.message)
        self.assertEqual(payload["type"], "callgest_console/incoming_call")
        self.assertEqual(payload["payload"]["ddi_number"], "933906700")
        self.assertIn(str(self.secretary.partner_id.id), notification.channel)
        with self.assertRaises(AccessError):
            Protocol.with_user(self.secretary).lookup(
                "933906700", agent_login=self.supervisor.login
            )
        new_test_user(self.env, login="not_a_secretary", groups="base.group_user")
        for login in ("nobody-here", "not_a_secretary"):
            with self.subTest(login=login), self.assertRaises(UserError) as error:
                Protocol.with_user(pbx).lookup("933906700", agent_login=login)
            # the PBX's answer names no login: it is no directory of users
            self.assertNotIn(login, str(error.exception))
            self.assertIn("not a CallGest secretary", str(error.exception))
