from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.callgest_protocols.tests.common import (
    CLINIC_DDI,
    CallgestProtocolsCommon,
)

from .common import (
    create_agenda_calendar,
    create_professional,
    create_type,
    slot_start,
)

CALLER = "+34 611 222 444"


@tagged("post_install", "-at_install")
class TestConsoleAgenda(CallgestProtocolsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Console = cls.env["callgest.call.console"].with_user(cls.secretary)
        cls.Booking = cls.env["resource.booking"]
        cls.create_protocol(cls.clinic, greeting="{greeting}, {client}")
        calendar = create_agenda_calendar(cls.env)
        cls.dentist = create_professional(cls.env, cls.clinic, calendar, "Dra. Puig")
        cls.hygienist = create_professional(cls.env, cls.clinic, calendar, "Sr. Vidal")
        cls.first_visit = create_type(
            cls.env,
            cls.clinic,
            calendar,
            cls.dentist | cls.hygienist,
            "First visit",
            questions=[("Reason", True), ("Insurance", False)],
        )
        cls.reason, cls.insurance = cls.first_visit.callgest_question_ids
        # the other client's agenda: never offered on the clinic's DDI
        cls.law_ddi = cls.create_ddi("91 060 09 87", cls.spain, cls.law_firm)
        lawyer = create_professional(cls.env, cls.law_firm, calendar, "Ldo. Soler")
        cls.law_type = create_type(cls.env, cls.law_firm, calendar, lawyer, "Consulta")

    def book(self, hour, minute=0, **values):
        values = {
            "ddi_number": CLINIC_DDI,
            "type_id": self.first_visit.id,
            "start": slot_start(hour, minute),
            "resource_id": self.dentist.id,
            "caller_name": "Marta Soler",
            "caller_number": "611 222 444",
            "caller_email": "Marta.Soler@Example.com",
            "answers": [
                {"question_id": self.reason.id, "answer": "Toothache"},
                {"question_id": self.insurance.id, "answer": ""},
            ],
            **values,
        }
        return self.Console.agenda_book(values)

    def test_console_data_has_the_agenda(self):
        data = self.Console.console_data(CLINIC_DDI, CALLER)
        (agenda_type,) = data["agenda"]["types"]
        self.assertEqual(agenda_type["id"], self.first_visit.id)
        self.assertEqual(agenda_type["name"], "First visit")
        self.assertEqual(agenda_type["duration_minutes"], 30)
        self.assertEqual(
            agenda_type["resource_ids"], (self.dentist | self.hygienist).ids
        )
        self.assertEqual(
            agenda_type["questions"],
            [
                {"id": self.reason.id, "name": "Reason", "required": True},
                {"id": self.insurance.id, "name": "Insurance", "required": False},
            ],
        )
        self.assertEqual(
            data["agenda"]["professionals"],
            [
                {"id": self.dentist.id, "name": "Dra. Puig"},
                {"id": self.hygienist.id, "name": "Sr. Vidal"},
            ],
        )
        self.assertEqual(data["appointments"], [])
        # an unknown DDI: no agenda, and the console still answers
        unknown = self.Console.console_data("+34 933 999 999", CALLER)
        self.assertFalse(unknown["client"])
        self.assertEqual(unknown["agenda"], {"types": [], "professionals": []})
        self.assertEqual(unknown["appointments"], [])

    def test_slots_across_professionals_in_local_time(self):
        slots = self.Console.agenda_slots(CLINIC_DDI, self.first_visit.id)
        self.assertEqual(len(slots), 8)
        # both professionals are free at 09:00, then 09:30...
        self.assertEqual(
            [(slot["start"], slot["resource_id"]) for slot in slots[:4]],
            [
                (slot_start(9), self.dentist.id),
                (slot_start(9), self.hygienist.id),
                (slot_start(9, 30), self.dentist.id),
                (slot_start(9, 30), self.hygienist.id),
            ],
        )
        self.assertEqual(slots[1]["resource_name"], "Sr. Vidal")
        self.assertTrue(slots[0]["local"].endswith(" 09:00"))
        self.assertTrue(slots[0]["label"].endswith(" 09:00"))
        # one professional only, and his booked time is not offered
        self.book(9)
        slots = self.Console.agenda_slots(
            CLINIC_DDI, self.first_visit.id, self.dentist.id, limit=3
        )
        self.assertEqual(
            [(slot["start"], slot["resource_id"]) for slot in slots],
            [
                (slot_start(9, 30), self.dentist.id),
                (slot_start(10), self.dentist.id),
                (slot_start(10, 30), self.dentist.id),
            ],
        )
        with self.assertRaisesRegex(UserError, "not in the client's agenda"):
            self.Console.agenda_slots(CLINIC_DDI, self.law_type.id)
        with self.assertRaisesRegex(UserError, "does not give First visit"):
            self.Console.agenda_slots(
                CLINIC_DDI, self.first_visit.id, self.law_type.callgest_resource_ids.id
            )

    def test_book_from_the_console(self):
        booked = self.book(10, 30)
        booking = self.Booking.browse(booked["id"])
        self.assertEqual(booked["resource"], "Dra. Puig")
        self.assertTrue(booked["when"].endswith(" 10:30"))
        self.assertEqual(booking.callgest_client_id, self.clinic)
        self.assertEqual(booking.type_id, self.first_visit)
        self.assertEqual(booking.callgest_resource_id, self.dentist)
        self.assertEqual(
            booking.start.strftime("%Y-%m-%d %H:%M:%S"), slot_start(10, 30)
        )
        self.assertEqual(booking.callgest_caller_name, "Marta Soler")
        self.assertEqual(booking.callgest_caller_phone, "+34 611 22 24 44")
        self.assertEqual(booking.callgest_caller_email, "marta.soler@example.com")
        self.assertEqual(booking.callgest_answers, "Reason: Toothache")
        self.assertEqual(booking.callgest_source, "secretary")
        self.assertEqual(booking.partner_ids.name, "Marta Soler")

    def test_caller_appointments_found_by_number_or_email(self):
        booking_id = self.book(11)["id"]
        # another caller of the clinic, and the same caller at another client
        self.book(12, caller_name="Pere", caller_number="699 000 111", caller_email="")
        self.Console.agenda_book(
            {
                "ddi_number": "91 060 09 87",
                "type_id": self.law_type.id,
                "start": slot_start(9),
                "caller_name": "Marta Soler",
                "caller_number": CALLER,
            }
        )
        for written in ("611222444", "0034 611 22 24 44", "+34611222444"):
            (appointment,) = self.Console.console_data(CLINIC_DDI, written)[
                "appointments"
            ]
            self.assertEqual(appointment["id"], booking_id)
        self.assertEqual(appointment["type"], "First visit")
        self.assertEqual(appointment["type_id"], self.first_visit.id)
        self.assertEqual(appointment["resource"], "Dra. Puig")
        self.assertEqual(appointment["resource_id"], self.dentist.id)
        self.assertEqual(appointment["caller"], "Marta Soler")
        self.assertTrue(appointment["when"].endswith(" 11:00"))
        # by email alone (a withheld number)
        by_email = self.Console.agenda_appointments(
            CLINIC_DDI, False, "marta.soler@EXAMPLE.com"
        )
        self.assertEqual([item["id"] for item in by_email], [booking_id])
        self.assertEqual(self.Console.agenda_appointments(CLINIC_DDI, False, False), [])
        self.assertEqual(self.Console.console_data(CLINIC_DDI, "")["appointments"], [])

    def test_refused_booking_says_why_and_books_nothing(self):
        self.book(9)
        count = self.Booking.search_count([])
        with self.assertRaises(ValidationError) as refusal:
            self.book(9, caller_name="Pere", caller_number="699 000 111")
        message = str(refusal.exception)
        self.assertIn("Dra. Puig already has an appointment at", message)
        self.assertIn("Next free slot:", message)
        self.assertIn("09:30 with Dra. Puig", message)
        with self.assertRaisesRegex(UserError, "Answer the required questions"):
            self.book(10, answers=[])
        with self.assertRaisesRegex(ValidationError, "not a valid email address"):
            self.book(10, caller_email="marta@")
        with self.assertRaisesRegex(UserError, "not in the client's agenda"):
            self.book(10, type_id=self.law_type.id)
        with self.assertRaisesRegex(UserError, "known DDI"):
            self.book(10, ddi_number="+34 933 999 999")
        self.assertEqual(self.Booking.search_count([]), count)

    def test_reschedule_and_cancel(self):
        booking = self.Booking.browse(self.book(9)["id"])
        moved = self.Console.agenda_reschedule(
            CLINIC_DDI, booking.id, slot_start(12, 30), self.hygienist.id
        )
        self.assertEqual(moved["resource"], "Sr. Vidal")
        self.assertTrue(moved["when"].endswith(" 12:30"))
        self.assertEqual(
            booking.start.strftime("%Y-%m-%d %H:%M:%S"), slot_start(12, 30)
        )
        self.assertEqual(booking.callgest_resource_id, self.hygienist)
        # the slot left is free again, the new one is not
        starts = [
            (slot["start"], slot["resource_id"])
            for slot in self.Console.agenda_slots(
                CLINIC_DDI, self.first_visit.id, limit=50
            )
        ]
        self.assertIn((slot_start(9), self.dentist.id), starts)
        self.assertNotIn((slot_start(12, 30), self.hygienist.id), starts)
        # a move onto a busy slot is refused with the reason
        self.book(10, caller_name="Pere", caller_number="699 000 111")
        with self.assertRaisesRegex(ValidationError, "already has an appointment"):
            self.Console.agenda_reschedule(
                CLINIC_DDI, booking.id, slot_start(10), self.dentist.id
            )
        # another client's DDI cannot touch it
        with self.assertRaisesRegex(UserError, "not in the client's agenda"):
            self.Console.agenda_cancel("91 060 09 87", booking.id)
        self.assertTrue(self.Console.agenda_cancel(CLINIC_DDI, booking.id))
        self.assertEqual(booking.state, "canceled")
        self.assertFalse(booking.active)
        self.assertNotIn(
            booking.id,
            [
                item["id"]
                for item in self.Console.console_data(CLINIC_DDI, CALLER)[
                    "appointments"
                ]
            ],
        )
        with self.assertRaisesRegex(ValidationError, "already cancelled"):
            self.Console.agenda_cancel(CLINIC_DDI, booking.id)
        with self.assertRaisesRegex(ValidationError, "cannot be moved"):
            self.Console.agenda_reschedule(CLINIC_DDI, booking.id, slot_start(11))

    def test_only_secretaries(self):
        employee = new_test_user(
            self.env, login="test_employee", groups="base.group_user"
        )
        Console = self.env["callgest.call.console"].with_user(employee)
        with self.assertRaises(AccessError):
            Console.agenda_slots(CLINIC_DDI, self.first_visit.id)
        with self.assertRaises(AccessError):
            Console.agenda_appointments(CLINIC_DDI, CALLER)
        with self.assertRaises(AccessError):
            Console.agenda_book({"ddi_number": CLINIC_DDI})
