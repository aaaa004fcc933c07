import json
from datetime import datetime, time, timedelta

import pytz
import vobject

from odoo import fields
from odoo.tests import tagged

from odoo.addons.callgest_message.tests.common import (
    CallgestMessageCommon,
    send_due_deliveries,
)

MADRID = pytz.timezone("Europe/Madrid")


@tagged("post_install", "-at_install")
class TestNotices(CallgestMessageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Booking = cls.env["resource.booking"]
        cls.Event = cls.env["callgest.billable.event"]
        cls.category_appointment = cls.env["callgest.message.category"].search(
            [("code", "=", "appointment")]
        )
        cls.dental = cls.Partner.create(
            {
                "name": "Clínica Dental Diagonal",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9101",
                "country_id": cls.spain.id,
                "tz": "Europe/Madrid",
                "lang": "es_ES",
                "street": "Avinguda Diagonal 640",
                "zip": "08017",
                "city": "Barcelona",
            }
        )
        cls.recipient = cls.Recipient.create(
            {
                "partner_id": cls.dental.id,
                "channel": "email",
                "address": "recepcion@dental.example.com",
                "lang": "es_ES",
                "mode": "immediate",
                "category_ids": [
                    fields.Command.set(
                        cls.env["callgest.message.category"].search([]).ids
                    )
                ],
            }
        )
        cls.recipient_orders = cls.Recipient.create(
            {
                "partner_id": cls.dental.id,
                "channel": "email",
                "address": "pedidos@dental.example.com",
                "mode": "immediate",
                "category_ids": [fields.Command.set(cls.category_order.ids)],
            }
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Every hour of every day",
                "tz": "Europe/Madrid",
                "attendance_ids": [
                    fields.Command.clear(),
                    *(
                        fields.Command.create(
                            {
                                "name": f"Day {day}",
                                "dayofweek": str(day),
                                "hour_from": 0,
                                "hour_to": 24,
                            }
                        )
                        for day in range(7)
                    ),
                ],
            }
        )
        cls.dentist = cls.env["resource.resource"].create(
            {
                "name": "Dra. Ana Ferrer",
                "calendar_id": cls.calendar.id,
                "callgest_client_id": cls.dental.id,
                "tz": "Europe/Madrid",
            }
        )
        cls.type = cls.env["resource.booking.type"].create(
            {
                "name": "Primera visita",
                "callgest_client_id": cls.dental.id,
                "resource_calendar_id": cls.calendar.id,
                "duration": 1.0,
                "slot_duration": 0.5,
                "callgest_min_notice_hours": 0,
                "callgest_resource_ids": [fields.Command.set(cls.dentist.ids)],
            }
        )

    # ------------------------------------------------------------------
    def test_booking_across_midnight(self):
        """Open every hour: an hour from 23:00 to midnight (Madrid) fits,
        whatever the hour the tests run at (the calendar ends a day at
        23:59:59.999999)."""
        tomorrow = fields.Date.today() + timedelta(days=2)
        local = MADRID.localize(datetime.combine(tomorrow, time(23, 0)))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        booking = self.book(start)
        self.assertEqual(booking.start, start)
        self.assertEqual(booking.stop, start + timedelta(hours=1))

    def start_at(self, hours):
        """A start ``hours`` from now, on the hour (naive UTC)."""
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        return now + timedelta(hours=hours)

    def book(self, start, **values):
        return self.Booking.browse(
            self.Booking.callgest_book(
                self.type.id,
                start,
                caller_name=values.pop("caller_name", "Joan Garcia"),
                caller_phone=values.pop("caller_phone", "600 123 456"),
                caller_email=values.pop("caller_email", "joan@example.com"),
                **values,
            )
        )

    def mails(self, booking):
        return self.env["mail.mail"].search(
            [("model", "=", "resource.booking"), ("res_id", "=", booking.id)],
            order="id",
        )

    def ics(self, mail):
        attachment = mail.attachment_ids
        self.assertEqual(len(attachment), 1)
        self.assertEqual(attachment.mimetype, "text/calendar")
        return vobject.readOne(attachment.raw.decode())

    def caller_events(self, channel="email"):
        return self.Event.search(
            [("partner_id", "=", self.dental.id), ("channel", "=", channel)]
        )

    def local(self, naive_utc):
        return (
            pytz.utc.localize(naive_utc).astimezone(MADRID).strftime("%d/%m/%Y %H:%M")
        )

    # ------------------------------------------------------------------
    def mail_ids_used(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT last_value FROM mail_mail_id_seq")
        return self.env.cr.fetchone()[0]

    def test_booked_email_and_invitation(self):
        start = self.start_at(48)
        before = self.mail_ids_used()
        booking = self.book(start)
        # ours only: Odoo's calendar invitation is not sent besides
        self.assertEqual(self.mail_ids_used() - before, 1)
        self.assertEqual(booking.state, "confirmed")
        mail = self.mails(booking)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "joan@example.com")
        body = mail.body_html
        self.assertIn(self.local(start), body)
        self.assertIn("Dra. Ana Ferrer", body)
        self.assertIn("Avinguda Diagonal 640, 08017 Barcelona", body)
        self.assertIn(
            "https://www.openstreetmap.org/search?query="
            "Avinguda+Diagonal+640%2C+08017+Barcelona",
            body,
        )
        self.assertIn("#1b7a34", body)  # confirmed: green
        self.assertNotIn("#b00020", body)
        self.assertIn(self.local(start), mail.subject)
        calendar = self.ics(mail)
        self.assertEqual(calendar.method.value, "REQUEST")
        dtstart = calendar.vevent.dtstart.value
        self.assertEqual(dtstart.utcoffset(), timedelta(0))
        self.assertEqual(dtstart.replace(tzinfo=None), start)
        self.assertEqual(
            calendar.vevent.dtend.value.replace(tzinfo=None), start + timedelta(hours=1)
        )
        self.assertIn(
            f"DTSTART:{start.strftime('%Y%m%dT%H%M%S')}Z",
            mail.attachment_ids.raw.decode(),
        )
        self.assertEqual(calendar.vevent.sequence.value, "0")
        self.assertEqual(calendar.vevent.uid.value, booking._callgest_ics_uid())
        other = self.book(start + timedelta(hours=2))
        self.assertNotEqual(
            self.ics(self.mails(other)).vevent.uid.value, calendar.vevent.uid.value
        )
        self.assertEqual(calendar.prodid.value, "-//CallGest//Agenda//EN")
        # one billable event for each email to the caller
        self.assertEqual(len(self.caller_events()), 2)
        self.assertEqual(
            set(self.caller_events().mapped("event_type")), {"message_auto"}
        )

    def test_change_keeps_uid_and_raises_sequence(self):
        start = self.start_at(48)
        booking = self.book(start)
        new_start = start + timedelta(hours=5)
        before = self.mail_ids_used()
        booking.callgest_reschedule(new_start)
        self.assertEqual(self.mail_ids_used() - before, 1)
        first, second = self.mails(booking)
        self.assertIn(self.local(new_start), second.body_html)
        before, after = self.ics(first), self.ics(second)
        self.assertEqual(after.method.value, "REQUEST")
        self.assertEqual(before.vevent.uid.value, after.vevent.uid.value)
        self.assertGreater(
            int(after.vevent.sequence.value), int(before.vevent.sequence.value)
        )
        self.assertEqual(after.vevent.dtstart.value.replace(tzinfo=None), new_start)
        self.assertEqual(len(self.caller_events()), 2)

    def test_cancel_red_with_original_time(self):
        start = self.start_at(30)
        booking = self.book(start)
        booking.action_cancel()
        self.assertEqual(booking.state, "canceled")
        self.assertFalse(booking.start)
        booked, cancelled = self.mails(booking)
        self.assertIn("#b00020", cancelled.body_html)
        self.assertIn(self.local(start), cancelled.body_html)
        calendar = self.ics(cancelled)
        self.assertEqual(calendar.method.value, "CANCEL")
        self.assertEqual(calendar.vevent.dtstart.value.replace(tzinfo=None), start)
        self.assertEqual(calendar.vevent.uid.value, self.ics(booked).vevent.uid.value)
        self.assertEqual(calendar.vevent.sequence.value, "1")
        self.assertEqual(len(self.caller_events()), 2)
        # cancelling again tells nobody anything
        booking.action_cancel()
        self.assertEqual(len(self.mails(booking)), 2)

    def test_recipients_get_appointment_reports(self):
        self.assertTrue(self.category_appointment)
        start = self.start_at(48)
        booking = self.book(start)
        deliveries = self.Delivery.search([("partner_id", "=", self.dental.id)])
        # the recipient of every category, not the one of orders only
        self.assertEqual(deliveries.recipient_id, self.recipient)
        self.assertEqual(deliveries.kind, "report")
        self.assertIn("Joan Garcia", deliveries.subject)
        self.assertIn(self.local(start), deliveries.body_html)
        self.assertIn("Dra. Ana Ferrer", deliveries.body_html)
        # billed by callgest_message when it goes out, once, apart from
        # the caller's email
        self.assertEqual(len(self.caller_events()), 1)
        send_due_deliveries(self.env)
        self.assertEqual(deliveries.state, "sent")
        self.assertEqual(len(self.caller_events()), 2)
        self.assertEqual(deliveries.billable_event_id.partner_id, self.dental)
        booking.action_cancel()
        self.assertEqual(
            len(self.Delivery.search([("partner_id", "=", self.dental.id)])), 2
        )

    def test_online_booking_waits_for_confirmation(self):
        booking = self.book(self.start_at(48), source="online")
        self.assertEqual(booking.state, "scheduled")
        self.assertFalse(self.mails(booking))
        self.assertFalse(self.caller_events())
        booking.action_confirm()
        booking._callgest_notify("confirmed")
        mail = self.mails(booking)
        self.assertEqual(len(mail), 1)
        self.assertIn("#1b7a34", mail.body_html)
        self.assertEqual(self.ics(mail).method.value, "REQUEST")
        self.assertEqual(len(self.caller_events()), 1)

    def test_notify_caller_false_sends_caller_nothing(self):
        booking = self.book(self.start_at(3), notify_caller=False)
        booking.callgest_reschedule(self.start_at(4))
        booking.action_cancel()
        self.assertFalse(self.mails(booking))
        self.assertFalse(self.caller_events())
        # the client's recipients are still told
        self.assertEqual(
            len(self.Delivery.search([("recipient_id", "=", self.recipient.id)])), 3
        )
        booking = self.book(self.start_at(5), notify_caller=False)
        self.Booking._cron_callgest_send_reminders()
        self.assertFalse(booking.callgest_reminded_at)

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    def test_reminder_email_sent_once(self):
        soon = self.book(self.start_at(3))
        later = self.book(self.start_at(48))
        mails_before = len(self.mails(soon))
        sent = self.Booking._cron_callgest_send_reminders()
        self.assertEqual(sent, soon)
        self.assertTrue(soon.callgest_reminded_at)
        self.assertFalse(later.callgest_reminded_at)
        self.assertFalse(self.Booking._cron_callgest_send_reminders())
        reminders = self.mails(soon)[mails_before:]
        self.assertEqual(len(reminders), 1)
        self.assertIn("Recordatorio", reminders.subject)  # the client speaks Spanish
        self.assertIn(self.local(soon.start), reminders.body_html)
        self.assertIn("Dra. Ana Ferrer", reminders.body_html)
        # two booked emails and one reminder
        self.assertEqual(len(self.caller_events()), 3)
        # moved: reminded again at its new time
        soon.callgest_reschedule(self.start_at(4))
        self.assertFalse(soon.callgest_reminded_at)
        self.assertEqual(self.Booking._cron_callgest_send_reminders(), soon)
        self.assertIn(self.local(soon.start), self.mails(soon)[-1].body_html)

    def test_reminder_sms_through_gateway(self):
        self.type.callgest_reminder_channel = "sms"
        booking = self.book(self.start_at(2))
        self.server.reset()
        self.Booking._cron_callgest_send_reminders()
        self.Booking._cron_callgest_send_reminders()
        self.assertEqual(len(self.server.delivered), 1)
        payload = json.loads(self.server.delivered[0]["body"])
        self.assertEqual(payload["to"], "+34600123456")
        self.assertIn(self.local(booking.start), payload["text"])
        self.assertIn("Dra. Ana Ferrer", payload["text"])
        self.assertTrue(booking.callgest_reminded_at)
        self.assertEqual(len(self.caller_events("sms")), 1)

    def test_reminder_sms_failure_stays_pending(self):
        self.type.callgest_reminder_channel = "sms"
        booking = self.book(self.start_at(2))
        self.server.reset("error")
        self.assertFalse(self.Booking._cron_callgest_send_reminders())
        self.assertEqual(len(self.server.requests), 1)
        self.assertFalse(booking.callgest_reminded_at)
        self.assertFalse(self.caller_events("sms"))
        self.server.reset("ok")
        self.assertEqual(self.Booking._cron_callgest_send_reminders(), booking)
        self.assertEqual(len(self.server.delivered), 1)
        self.assertTrue(booking.callgest_reminded_at)
        self.assertEqual(len(self.caller_events("sms")), 1)

    def test_no_reminder_for_cancelled_or_disabled(self):
        cancelled = self.book(self.start_at(3))
        cancelled.action_cancel()
        self.assertFalse(self.Booking._cron_callgest_send_reminders())
        self.assertFalse(cancelled.callgest_reminded_at)
        self.type.callgest_reminder_hours = 0
        booking = self.book(self.start_at(4))
        self.assertFalse(self.Booking._cron_callgest_send_reminders())
        self.assertFalse(booking.callgest_reminded_at)

    def test_cron_record(self):
        cron = self.env.ref("callgest_agenda.ir_cron_send_reminders")
        self.assertEqual((cron.interval_number, cron.interval_type), (15, "minutes"))
        self.assertTrue(cron.active)
        self.assertEqual(cron.code, "model._cron_callgest_send_reminders()")
