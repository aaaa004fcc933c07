"""Two transactions book the same professional at the same time: the second
waits for the first and, when it commits, is refused with the next free slot.

Two real connections to the test database (not the test's cursor): the
agenda is committed at the start and removed at the end."""

import threading
import time
from contextlib import contextmanager

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import build_agenda, local_day, utc_string

CONTEXT = {"tracking_disable": True, "lang": "en_US"}


@tagged("post_install", "-at_install")
class TestDoubleBooking(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.committed() as env:
            client, hours, booking_type, pros = build_agenda(
                env, "Agenda Race Clinic", professionals=("Dr. Race",)
            )
            cls.client_id, cls.type_id = client.id, booking_type.id
            cls.pro_id, cls.pro_name = pros.id, pros.name
            cls.calendar_ids = (hours | pros.calendar_id).ids
            cls.partners_before = set(
                env["res.partner"].with_context(active_test=False).search([]).ids
            )
        cls.addClassCleanup(cls.remove_data)
        cls.day = local_day(3)

    @classmethod
    @contextmanager
    def committed(cls):
        with cls.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, CONTEXT)

    @classmethod
    def remove_data(cls):
        with cls.committed() as env:
            env = env(context=dict(env.context, active_test=False))
            bookings = env["resource.booking"].search([("type_id", "=", cls.type_id)])
            cls.remove_notices(env, bookings)
            bookings.unlink()
            events = env["callgest.billable.event"].search(
                [("partner_id", "=", cls.client_id)]
            )
            if "callgest.usage" in env:  # rated by callgest_billing
                env["callgest.usage"].search(
                    [("billable_event_id", "in", events.ids)]
                ).unlink()
            events.unlink()
            booking_type = env["resource.booking.type"].browse(cls.type_id)
            combinations = booking_type.combination_rel_ids.combination_id
            booking_type.unlink()
            resources = env["resource.resource"].search(
                [("callgest_client_id", "=", cls.client_id)]
            )
            combinations |= resources.callgest_combination_id
            resources.unlink()
            combinations.unlink()
            env["res.partner"].search(
                [("id", "not in", list(cls.partners_before))]
            ).unlink()
            env["res.partner"].browse(cls.client_id).unlink()
            env["resource.calendar"].browse(cls.calendar_ids).unlink()

    @classmethod
    def remove_notices(cls, env, bookings):
        """The committed emails (and invitations) sent to the callers."""
        env["mail.mail"].search(
            [("model", "=", "resource.booking"), ("res_id", "in", bookings.ids)]
        ).unlink()
        env["ir.attachment"].search(
            [("res_model", "=", "resource.booking"), ("res_id", "in", bookings.ids)]
        ).unlink()

    def tearDown(self):
        with self.committed() as env:
            bookings = (
                env["resource.booking"]
                .with_context(active_test=False)
                .search([("type_id", "=", self.type_id)])
            )
            self.remove_notices(env, bookings)
            bookings.unlink()
            env["resource.booking.type"].browse(
                self.type_id
            ).callgest_buffer_minutes = 0
        super().tearDown()

    # ------------------------------------------------------------------
    def book(self, env, start, **values):
        return env["resource.booking"].callgest_book(
            self.type_id,
            start,
            resource_id=self.pro_id,
            caller_name=values.pop("caller_name", "Caller"),
            **values,
        )

    @staticmethod
    def waiting_on_locks(cr):
        cr.execute("SELECT pg_stat_clear_snapshot()")
        cr.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cr.fetchone()[0]

    def race(self, start_a, start_b, values_a=None, values_b=None):
        """A books ``start_a`` and holds its transaction open; B books
        ``start_b`` in a thread: B must wait until A commits. Returns B's
        outcome (its ValidationError's message, or its booking id)."""
        outcome = {}
        with self.committed() as env:
            partners_before = set(
                env["res.partner"].with_context(active_test=False).search([]).ids
            )
        # B's environment is made here: the first Environment of a cursor
        # looks the registry up, under the lock the test runner holds
        cr_b = self.registry.cursor()
        env_b = api.Environment(cr_b, SUPERUSER_ID, CONTEXT)

        @mute_logger("odoo.sql_db")  # the refused INSERT is logged as a bad query
        def second():
            try:
                outcome["booking"] = self.book(env_b, start_b, **(values_b or {}))
            except ValidationError as error:
                outcome["error"] = error.args[0]

        cr_a = self.registry.cursor()
        thread = threading.Thread(target=second, name="booking B")
        try:
            env_a = api.Environment(cr_a, SUPERUSER_ID, CONTEXT)
            booking_a = self.book(env_a, start_a, **(values_a or {}))
            thread.start()
            with self.registry.cursor() as watcher:
                deadline = time.monotonic() + 30
                while not self.waiting_on_locks(watcher):
                    self.assertTrue(thread.is_alive(), f"B did not wait: {outcome}")
                    self.assertLess(time.monotonic(), deadline, "B never waited")
                    time.sleep(0.05)
            # B is blocked on A's uncommitted booking
            time.sleep(0.2)
            self.assertTrue(thread.is_alive())
            self.assertFalse(outcome)
            cr_a.commit()
        finally:
            cr_a.close()
            thread.join(timeout=60)
            if not thread.is_alive():
                cr_b.rollback()  # as a refused request: nothing of B is kept
                cr_b.close()
        self.assertFalse(thread.is_alive())
        with self.committed() as env:
            bookings = env["resource.booking"].search([("type_id", "=", self.type_id)])
            self.assertEqual(bookings.ids, [booking_a], "exactly one booking")
            self.assertEqual(
                env["callgest.agenda.busy"].search_count(
                    [("resource_id", "=", self.pro_id)]
                ),
                1,
            )
            self.assertEqual(
                set(env["res.partner"].with_context(active_test=False).search([]).ids)
                - partners_before,
                set(bookings.partner_ids.ids) - partners_before,
                "B left no caller behind",
            )
        return outcome

    def assertRefusedWithNext(self, outcome, start_b, next_free):
        self.assertNotIn("booking", outcome)
        day = self.day.strftime("%d/%m/%Y")
        self.assertIn(
            f"{self.pro_name} was booked at {day} {start_b} a moment ago by "
            "someone else.",
            outcome["error"],
        )
        self.assertIn(
            f"Next free slot: {day} {next_free} with {self.pro_name}.", outcome["error"]
        )

    def test_same_slot(self):
        start = utc_string(self.day, 10)
        outcome = self.race(
            start,
            start,
            {"caller_email": "first@example.com"},
            {"caller_email": "second@example.com", "caller_name": "Second"},
        )
        self.assertRefusedWithNext(outcome, "10:00", "10:30")

    def test_secretary_against_online_caller(self):
        start = utc_string(self.day, 11)
        outcome = self.race(
            start,
            start,
            {"source": "secretary"},
            {"source": "online", "booking_ip": "203.0.113.9"},
        )
        self.assertRefusedWithNext(outcome, "11:00", "11:30")
        # the other way round: the online caller first
        with self.committed() as env:
            env["resource.booking"].search([("type_id", "=", self.type_id)]).unlink()
        outcome = self.race(start, start, {"source": "online"}, {"source": "secretary"})
        self.assertRefusedWithNext(outcome, "11:00", "11:30")

    def test_overlapping_ranges_with_buffer(self):
        with self.committed() as env:
            env["resource.booking.type"].browse(
                self.type_id
            ).callgest_buffer_minutes = 15
        # A holds 10:00-10:30 plus 15 minutes; B asks 10:30-11:00
        outcome = self.race(utc_string(self.day, 10), utc_string(self.day, 10, 30))
        self.assertRefusedWithNext(outcome, "10:30", "11:00")
