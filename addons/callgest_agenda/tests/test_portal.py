import re
from datetime import timedelta

import vobject

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAgendaPortal(HttpCase):
    """The client's appointments on his portal, the rules that keep them
    his, and the professional's private calendar feed. Own data: a calendar
    open every day, all day, so nothing depends on today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Always open",
                "tz": "Europe/Madrid",
                "attendance_ids": [
                    fields.Command.clear(),
                    *(
                        fields.Command.create(
                            {
                                "name": f"Day {day}",
                                "dayofweek": str(day),
                                "hour_from": 0,
                                "hour_to": 23.99,
                                "day_period": "morning",
                            }
                        )
                        for day in range(7)
                    ),
                ],
            }
        )
        cls.clinic, cls.other = (
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_callgest_client": True,
                    "callgest_client_code": code,
                    "callgest_client_type": "collective",
                    "tz": "Europe/Madrid",
                }
            )
            for name, code in (("Portal Clinic", "9711"), ("Other Clinic", "9712"))
        )
        cls.desk = Partner.create({"name": "Clinic desk", "parent_id": cls.clinic.id})
        cls.doctor_contact = Partner.create(
            {
                "name": "Dr Own",
                "parent_id": cls.clinic.id,
                "callgest_is_professional": True,
            }
        )
        cls.colleague_contact = Partner.create(
            {
                "name": "Dr Colleague",
                "parent_id": cls.clinic.id,
                "callgest_is_professional": True,
            }
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="agenda_portal",
            password="agenda_portal",
            groups="base.group_portal",
            partner_id=cls.desk.id,
        )
        cls.doctor_user = new_test_user(
            cls.env,
            login="agenda_doctor",
            groups="base.group_portal",
            partner_id=cls.doctor_contact.id,
        )
        cls.other_user = new_test_user(
            cls.env,
            login="agenda_other",
            groups="base.group_portal",
            partner_id=Partner.create(
                {"name": "Other desk", "parent_id": cls.other.id}
            ).id,
        )
        Resource = cls.env["resource.resource"]
        cls.doctor = Resource.create(
            {
                "name": "Dr Own",
                "resource_type": "material",
                "calendar_id": cls.calendar.id,
                "tz": "Europe/Madrid",
                "callgest_client_id": cls.clinic.id,
                "callgest_partner_id": cls.doctor_contact.id,
            }
        )
        cls.colleague = Resource.create(
            {
                "name": "Dr Colleague",
                "resource_type": "material",
                "calendar_id": cls.calendar.id,
                "tz": "Europe/Madrid",
                "callgest_client_id": cls.clinic.id,
                "callgest_partner_id": cls.colleague_contact.id,
            }
        )
        cls.other_doctor = Resource.create(
            {
                "name": "Dr Other",
                "resource_type": "material",
                "calendar_id": cls.calendar.id,
                "callgest_client_id": cls.other.id,
            }
        )
        Type = cls.env["resource.booking.type"]
        cls.visit = Type.create(
            {
                "name": "First visit",
                "duration": 0.5,
                "slot_duration": 0.5,
                "resource_calendar_id": cls.calendar.id,
                "callgest_client_id": cls.clinic.id,
                "callgest_min_notice_hours": 0,
                "location": "Main street 1",
                "callgest_resource_ids": [
                    fields.Command.set((cls.doctor | cls.colleague).ids)
                ],
            }
        )
        cls.other_visit = Type.create(
            {
                "name": "Other visit",
                "duration": 0.5,
                "slot_duration": 0.5,
                "resource_calendar_id": cls.calendar.id,
                "callgest_client_id": cls.other.id,
                "callgest_min_notice_hours": 0,
                "callgest_resource_ids": [fields.Command.set(cls.other_doctor.ids)],
            }
        )
        start = (fields.Datetime.now() + timedelta(days=2)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        Booking = cls.env["resource.booking"]
        cls.own = Booking.browse(
            Booking.callgest_book(
                cls.visit.id, start, cls.doctor.id, caller_name="Ana Caller"
            )
        )
        cls.colleagues = Booking.browse(
            Booking.callgest_book(
                cls.visit.id, start, cls.colleague.id, caller_name="Bea Caller"
            )
        )
        cls.foreign = Booking.browse(
            Booking.callgest_book(
                cls.other_visit.id, start, cls.other_doctor.id, caller_name="Eve"
            )
        )

    def _csrf(self):
        page = self.url_open(f"/my/appointments/{self.own.id}").text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_rules(self):
        Booking = self.env["resource.booking"]
        mine = Booking.with_user(self.portal_user).search([])
        self.assertIn(self.own, mine)
        self.assertIn(self.colleagues, mine)
        self.assertNotIn(self.foreign, mine)
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.portal_user).read(["callgest_caller_name"])
        # a professional of the collective: only his own
        doctors = Booking.with_user(self.doctor_user).search([])
        self.assertIn(self.own, doctors)
        self.assertNotIn(self.colleagues, doctors)
        with self.assertRaises(AccessError):
            self.colleagues.with_user(self.doctor_user).read(["start"])
        # ... unless he is an authorized contact of the client
        self.env["callgest.authorized.contact"].create(
            {"client_id": self.clinic.id, "partner_id": self.doctor_contact.id}
        )
        self.env.invalidate_all()
        self.assertIn(self.colleagues, Booking.with_user(self.doctor_user).search([]))
        self.assertNotIn(self.own, Booking.with_user(self.other_user).search([]))

    def test_pages_and_other_clients_ids(self):
        self.authenticate("agenda_portal", "agenda_portal")
        home = self.url_open("/my/home")
        self.assertIn("/my/appointments", home.text)
        listing = self.url_open("/my/appointments")
        self.assertEqual(listing.status_code, 200)
        self.assertIn("Ana Caller", listing.text)
        self.assertNotIn("Eve", listing.text)
        local = self.own._callgest_format_local(self.own.start)
        self.assertIn(local, listing.text)  # the client's time, not UTC
        week = self.own.start.date().isoformat()
        calendar = self.url_open(f"/my/appointments/calendar?week={week}")
        self.assertIn("Ana Caller", calendar.text)
        self.assertIn("text-bg-success", calendar.text)
        self.assertIn(
            "Ana Caller", self.url_open(f"/my/appointments/{self.own.id}").text
        )
        token = self._csrf()
        # another client's appointment: not found, and the cancel refused
        self.assertEqual(
            self.url_open(f"/my/appointments/{self.foreign.id}").status_code, 404
        )
        response = self.url_open(
            f"/my/appointments/{self.foreign.id}/cancel",
            data={"csrf_token": token},
        )
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.foreign.active)
        self.assertEqual(self.foreign.state, "confirmed")
        # no CSRF token: refused
        response = self.url_open(f"/my/appointments/{self.own.id}/cancel", data={})
        self.assertIn(response.status_code, (400, 403, 405))
        self.assertTrue(self.own.active)

    def test_cancel_refusals(self):
        self.authenticate("agenda_portal", "agenda_portal")
        url = f"/my/appointments/{self.own.id}"
        token = self._csrf()
        response = self.url_open(f"{url}/cancel", data={"csrf_token": token})
        self.assertIn("has been cancelled", response.text)
        self.assertFalse(self.own.active)
        self.assertEqual(self.own.state, "canceled")
        response = self.url_open(f"{url}/cancel", data={"csrf_token": token})
        self.assertIn("already cancelled", response.text)
        cancelled = self.url_open("/my/appointments?filterby=cancelled")
        self.assertIn("Ana Caller", cancelled.text)
        # a past one
        self.env.cr.execute("ALTER TABLE resource_booking DISABLE TRIGGER USER")
        self.colleagues.write({"start": fields.Datetime.now() - timedelta(days=3)})
        self.env.flush_all()
        self.env.cr.execute("ALTER TABLE resource_booking ENABLE TRIGGER USER")
        response = self.url_open(
            f"/my/appointments/{self.colleagues.id}/cancel",
            data={"csrf_token": token},
        )
        self.assertIn("already past", response.text)
        self.assertTrue(self.colleagues.active)

    def test_feed(self):
        self.doctor.action_callgest_new_ics_token()
        self.colleagues.action_cancel()
        token = self.doctor.callgest_ics_token
        self.assertIn(token, self.doctor.callgest_ics_url)
        response = self.url_open(f"/agenda/feed/{token}.ics")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/calendar"))
        cal = vobject.readOne(response.text)
        events = cal.vevent_list
        self.assertEqual(len(events), 1)
        event = events[0]
        self.assertEqual(event.uid.value, event.uid.value.strip())
        self.assertIn(f"callgest-booking-{self.own.id}-", event.uid.value)
        self.assertEqual(event.summary.value, "First visit - Ana Caller")
        self.assertEqual(event.status.value, "CONFIRMED")
        self.assertEqual(event.location.value, "Main street 1")
        self.assertEqual(event.dtstart.value.utcoffset(), timedelta(0))
        self.assertEqual(event.dtstart.value.replace(tzinfo=None), self.own.start)
        self.assertEqual(event.dtend.value.replace(tzinfo=None), self.own.stop)
        # the colleague's cancelled one left his feed (it has no time any more)
        self.colleague.action_callgest_new_ics_token()
        cal = vobject.readOne(
            self.url_open(f"/agenda/feed/{self.colleague.callgest_ics_token}.ics").text
        )
        self.assertFalse(cal.contents.get("vevent"))
        # a new token revokes the old address; revoked or unknown: 404
        self.doctor.action_callgest_new_ics_token()
        self.assertEqual(self.url_open(f"/agenda/feed/{token}.ics").status_code, 404)
        self.assertEqual(
            self.url_open(
                f"/agenda/feed/{self.doctor.callgest_ics_token}.ics"
            ).status_code,
            200,
        )
        self.doctor.action_callgest_revoke_ics_token()
        self.assertEqual(self.url_open("/agenda/feed/unknown.ics").status_code, 404)

    def test_tour_cancel(self):
        self.start_tour(
            "/my/appointments", "callgest_agenda_portal_cancel", login="agenda_portal"
        )
        self.assertFalse(self.own.active)
        self.assertEqual(self.own.state, "canceled")
        self.assertTrue(self.colleagues.active)
