import re
from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestOnlineBooking(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.client = cls.env["res.partner"].create(
            {
                "name": "Clínica Sonrisa",
                "is_callgest_client": True,
                "is_company": True,
                "lang": "es_ES",
                "tz": "Europe/Madrid",
                "callgest_agenda_token": "tok-sonrisa-online-0123456789",
            }
        )
        cls.other_client = cls.env["res.partner"].create(
            {
                "name": "Bufete Otro",
                "is_callgest_client": True,
                "is_company": True,
                "callgest_agenda_token": "tok-otro-online-9876543210",
            }
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Always open",
                "tz": "Europe/Madrid",
                "attendance_ids": [
                    fields.Command.clear(),
                    *[
                        fields.Command.create(
                            {
                                "name": f"Day {day}",
                                "dayofweek": str(day),
                                "hour_from": 0.0,
                                "hour_to": 24.0,
                                "day_period": "morning",
                            }
                        )
                        for day in range(7)
                    ],
                ],
            }
        )
        cls.resource = cls.env["resource.resource"].create(
            {
                "name": "Dra. Pérez",
                "resource_type": "material",
                "callgest_client_id": cls.client.id,
                "calendar_id": cls.calendar.id,
                "tz": "Europe/Madrid",
            }
        )
        cls.booking_type = cls.env["resource.booking.type"].create(
            {
                "name": "Primera visita",
                "callgest_client_id": cls.client.id,
                "callgest_resource_ids": [fields.Command.set(cls.resource.ids)],
                "duration": 0.5,
                "slot_duration": 0.5,
                "callgest_min_notice_hours": 0,
                "resource_calendar_id": cls.calendar.id,
                "callgest_question_ids": [
                    fields.Command.create({"name": "Motivo", "required": True})
                ],
            }
        )
        cls.offline_type = cls.env["resource.booking.type"].create(
            {
                "name": "Solo por teléfono",
                "callgest_client_id": cls.client.id,
                "callgest_resource_ids": [fields.Command.set(cls.resource.ids)],
                "duration": 0.5,
                "slot_duration": 0.5,
                "callgest_online": False,
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.question = cls.booking_type.callgest_question_ids
        cls.Booking = cls.env["resource.booking"].with_context(active_test=False)

    # ------------------------------------------------------------------
    def _start(self, hours=30):
        """A free slot start (UTC, Odoo's format), ``hours`` from now on
        the half hour."""
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        start = now.replace(minute=0) + timedelta(hours=hours)
        return fields.Datetime.to_string(start)

    def _form_url(self, start, booking_type=None):
        booking_type = booking_type or self.booking_type
        return (
            f"/agenda/{self.client.callgest_agenda_token}/{booking_type.id}/book"
            f"?start={start}&resource_id={self.resource.id}"
        )

    def _post(self, start, **values):
        """Open the form (for the CSRF token) and post it; the response."""
        url = self._form_url(start)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        data = {
            "csrf_token": csrf,
            "start": start,
            "resource_id": self.resource.id,
            "name": "Ana López",
            "email": "ana@example.com",
            "phone": "",
            f"question_{self.question.id}": "Revisión",
        }
        data.update(values)
        return self.url_open(url, data=data)

    def _online_bookings(self):
        return self.Booking.search(
            [("type_id", "=", self.booking_type.id), ("callgest_source", "=", "online")]
        )

    # ------------------------------------------------------------------
    def test_types_page(self):
        token = self.client.callgest_agenda_token
        response = self.url_open(f"/agenda/{token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Primera visita", response.text)
        self.assertIn("Clínica Sonrisa", response.text)
        self.assertNotIn("Solo por teléfono", response.text)
        self.assertIn('lang="es-ES"', response.text)

    def test_bad_token_404(self):
        self.assertEqual(self.url_open("/agenda/nope-not-a-token").status_code, 404)
        self.assertEqual(self.url_open("/agenda/").status_code, 404)
        # another client's type through this client's token
        other_type = self.booking_type.copy(
            {"callgest_client_id": self.other_client.id, "name": "Ajena"}
        )
        token = self.client.callgest_agenda_token
        self.assertEqual(
            self.url_open(f"/agenda/{token}/{other_type.id}").status_code, 404
        )
        self.assertEqual(
            self.url_open(f"/agenda/{token}/{self.offline_type.id}").status_code, 404
        )

    def test_slots_in_local_time(self):
        token = self.client.callgest_agenda_token
        response = self.url_open(f"/agenda/{token}/{self.booking_type.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Europe/Madrid", response.text)
        slots = self.booking_type.callgest_slots_for_display(limit=1)
        self.assertTrue(slots)
        first = slots[0]
        madrid = pytz.utc.localize(
            fields.Datetime.to_datetime(first["start"])
        ).astimezone(pytz.timezone("Europe/Madrid"))
        self.assertEqual(first["local"], madrid.strftime("%Y-%m-%d %H:%M"))
        self.assertRegex(response.text, rf">\s*{madrid.strftime('%H:%M')}\s*<")
        self.assertIn(
            f"start={first['start'].replace(' ', '+').replace(':', '%3A')}",
            response.text,
        )
        # the days are named in Spanish
        spanish_days = "lunes martes miércoles jueves viernes sábado domingo".split()
        self.assertTrue(any(day in response.text for day in spanish_days))

    def test_book_online(self):
        start = self._start()
        response = self._post(start)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_callgest_online_thanks", response.text)
        booking = self._online_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.state, "scheduled")
        self.assertEqual(fields.Datetime.to_string(booking.start), start)
        self.assertEqual(booking.callgest_caller_email, "ana@example.com")
        self.assertEqual(booking.sudo().callgest_booking_ip, "127.0.0.1")
        self.assertIn("Motivo: Revisión", booking.callgest_answers)
        self.assertTrue(booking.access_token)
        mail = self.env["mail.mail"].search(
            [("model", "=", "resource.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "ana@example.com")
        self.assertIn(
            f"/agenda/confirm/{booking.id}/{booking.access_token}", mail.body_html
        )

    def test_refused(self):
        start = self._start()
        self.Booking.callgest_book(
            self.booking_type.id,
            start,
            resource_id=self.resource.id,
            caller_name="Otro",
            caller_email="otro@example.com",
        )
        response = self._post(start, name="Luis Gil")
        self.assertIn("o_callgest_online_error", response.text)
        # the client's language: the reasons come in Spanish
        self.assertIn("ya tiene una cita", response.text)
        self.assertIn("Próximo hueco libre", response.text)
        self.assertIn("Luis Gil", response.text)  # typed values kept
        past = fields.Datetime.to_string(
            fields.Datetime.now().replace(minute=0, second=0) - timedelta(hours=3)
        )
        response = self._post(past)
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn("ya ha pasado", response.text)
        response = self._post(self._start(40), email="not-an-email")
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn("no es una dirección de correo electrónico válida", response.text)
        self.assertIn("not-an-email", response.text)
        response = self._post(self._start(42), **{f"question_{self.question.id}": ""})
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn("Motivo", response.text)
        self.assertFalse(self._online_bookings())

    def test_limit_per_email(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "callgest_agenda.online_max_per_email", 1
        )
        self.assertIn("o_callgest_online_thanks", self._post(self._start(30)).text)
        response = self._post(self._start(32), email="ANA@example.com")
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn("ana@example.com ha alcanzado el límite de 1", response.text)
        self.assertEqual(len(self._online_bookings()), 1)
        # a cancelled booking still counts
        self._online_bookings().action_cancel()
        response = self._post(self._start(34))
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn(
            "o_callgest_online_thanks",
            self._post(self._start(36), email="otra@example.com").text,
        )

    def test_limit_per_ip(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "callgest_agenda.online_max_per_ip", 2
        )
        for hours, email in ((30, "a@example.com"), (31, "b@example.com")):
            self.Booking.callgest_book(
                self.booking_type.id,
                self._start(hours),
                resource_id=self.resource.id,
                caller_name="X",
                caller_email=email,
                source="online",
                booking_ip="127.0.0.1",
            )
        response = self._post(self._start(33), email="c@example.com")
        self.assertIn("o_callgest_online_error", response.text)
        self.assertIn("demasiadas citas en línea desde su conexión", response.text)
        self.assertEqual(len(self._online_bookings()), 2)

    def _booked(self):
        self.assertIn("o_callgest_online_thanks", self._post(self._start()).text)
        return self._online_bookings()

    def test_confirm(self):
        booking = self._booked()
        url = f"/agenda/confirm/{booking.id}/{booking.access_token}"
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn('value="confirm"', page.text)
        self.assertIn('value="cancel"', page.text)
        self.assertEqual(booking.state, "scheduled")  # a GET confirms nothing
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(url, data={"csrf_token": csrf, "answer": "confirm"})
        self.assertIn("o_callgest_online_confirmed", response.text)
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "confirmed")

    def test_cancel(self):
        booking = self._booked()
        url = f"/agenda/confirm/{booking.id}/{booking.access_token}"
        page = self.url_open(url)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(url, data={"csrf_token": csrf, "answer": "cancel"})
        self.assertIn("o_callgest_online_cancelled", response.text)
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "canceled")
        self.assertEqual(self.url_open(url).status_code, 404)  # the link is spent

    def test_confirm_wrong_token(self):
        booking = self._booked()
        self.assertEqual(
            self.url_open(f"/agenda/confirm/{booking.id}/wrong-token").status_code, 404
        )
        page = self.url_open(f"/agenda/confirm/{booking.id}/{booking.access_token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"/agenda/confirm/{booking.id}/wrong-token",
            data={"csrf_token": csrf, "answer": "confirm"},
        )
        self.assertEqual(response.status_code, 404)
        booking.invalidate_recordset()
        self.assertEqual(booking.state, "scheduled")

    def test_tour(self):
        token = self.client.callgest_agenda_token
        first_slot = self.booking_type.callgest_slots_for_display(limit=1)[0]
        self.start_tour(f"/agenda/{token}", "callgest_agenda_online_booking")
        booking = self._online_bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.callgest_caller_name, "Tour Caller")
        self.assertEqual(booking.callgest_caller_email, "tour@example.com")
        self.assertEqual(booking.state, "scheduled")
        self.assertEqual(booking.callgest_resource_id, self.resource)
        # the first slot shown (or the next one if the clock turned meanwhile)
        delta = booking.start - fields.Datetime.to_datetime(first_slot["start"])
        self.assertIn(delta, (timedelta(0), timedelta(minutes=30)))
