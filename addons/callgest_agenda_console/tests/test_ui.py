from odoo.tests import HttpCase, new_test_user, tagged

from .common import (
    create_agenda_calendar,
    create_professional,
    create_type,
    slot_start,
)


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    """The demo secretary books, cancels and moves appointments of the
    dental clinic in her console (the clinic, its DDI and the secretary
    are made here when there is no demo data; the agenda always is)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.secretary = env.ref(
            "callgest_base.user_secretaria", raise_if_not_found=False
        ) or new_test_user(
            env, login="secretaria", groups="callgest_base.group_callgest_secretary"
        )
        cls.clinic = env.ref(
            "callgest_base.client_dental_diagonal", raise_if_not_found=False
        ) or env["res.partner"].create(
            {
                "name": "Clínica Dental Diagonal",
                "is_company": True,
                "is_callgest_client": True,
                "country_id": env.ref("base.es").id,
                "tz": "Europe/Madrid",
            }
        )
        if not env.ref("callgest_base.ddi_dental_diagonal", raise_if_not_found=False):
            env["callgest.ddi"].create(
                {
                    "number_entered": "93 390 67 01",
                    "country_id": env.ref("base.es").id,
                    "partner_id": cls.clinic.id,
                }
            ).action_activate()
        calendar = create_agenda_calendar(env)
        dentist = create_professional(env, cls.clinic, calendar, "Dra. Tour Agenda")
        cls.first_visit = create_type(
            env,
            cls.clinic,
            calendar,
            dentist,
            "Tour first visit",
            questions=[("Motivo", True)],
        )
        check_up = create_type(env, cls.clinic, calendar, dentist, "Tour check-up")
        cls.existing = env["resource.booking"].browse(
            env["resource.booking"].callgest_book(
                check_up.id,
                slot_start(12),
                caller_name="Marta Soler",
                caller_phone="+34 611 222 444",
            )
        )

    def test_secretary_books_in_the_console(self):
        self.start_tour(
            "/odoo/action-callgest_console.action_callgest_call_console",
            "callgest_agenda_console_tour",
            login=self.secretary.login,
        )
        booking = self.env["resource.booking"].search(
            [("type_id", "=", self.first_visit.id)]
        )
        # one booking: the refused one (a bad email) left nothing behind
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.callgest_caller_name, "Marta Soler")
        self.assertEqual(booking.callgest_caller_phone, "+34 611 22 24 44")
        self.assertEqual(booking.callgest_caller_email, "marta.soler@example.com")
        self.assertEqual(booking.callgest_answers, "Motivo: Dolor de muelas")
        self.assertEqual(booking.callgest_source, "secretary")
        self.assertEqual(booking.create_uid, self.secretary)
        # booked on the first slot (09:00), then moved to the next one
        self.assertEqual(booking.start.strftime("%Y-%m-%d %H:%M:%S"), slot_start(9, 30))
        self.assertEqual(
            booking.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "start"
            ).old_value_datetime.strftime("%Y-%m-%d %H:%M:%S"),
            slot_start(9),
        )
        # the caller's earlier appointment was cancelled from his history
        self.assertFalse(self.existing.active)
        self.assertEqual(self.existing.state, "canceled")
