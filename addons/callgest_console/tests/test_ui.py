from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.callgest_protocols.tests.common import (
    call_type,
    create_protocol,
    question,
    snippet,
)


@tagged("post_install", "-at_install")
class TestUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_partner = cls.env["res.partner"].create(
            {
                "name": "Tour Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
            }
        )
        cls.ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": "+34 933 906 797",
                "partner_id": cls.client_partner.id,
            }
        )
        cls.ddi.action_activate()
        create_protocol(
            cls.env,
            cls.client_partner,
            greeting="{greeting}, Tour Clinic",
            call_type_ids=[
                call_type(
                    "Cita",
                    "message",
                    sequence=10,
                    message_category_code="appointment",
                    instructions="<p>Pregunte por el paciente.</p>",
                    questions=[
                        question(
                            "Nombre del paciente", "text", sequence=10, required=True
                        ),
                        question(
                            "Teléfono de contacto", "phone", sequence=20, required=True
                        ),
                        question(
                            "Preferencia",
                            "selection",
                            sequence=30,
                            selection_options="mañana,tarde",
                        ),
                    ],
                ),
                call_type("Urgencia dental", "incident", sequence=20),
            ],
            snippet_ids=[snippet("Cómo llegar", "Calle Mayor 1, Barcelona")],
        )
        cls.env.company.email = "centralita@callgest.example"
        new_test_user(
            cls.env,
            login="tour_console_secretary",
            password="tour_console_secretary",
            groups="callgest_base.group_callgest_secretary",
        )

    def test_secretary_takes_a_recado_in_the_console(self):
        self.start_tour(
            "/odoo/action-callgest_console.action_callgest_call_console",
            "callgest_console_tour",
            login="tour_console_secretary",
        )
        recados = self.env["callgest.message"].search(
            [("partner_id", "=", self.client_partner.id)], order="id"
        )
        self.assertEqual(len(recados), 2)
        recado, plain = recados
        self.assertEqual(recado.state, "to_deliver")
        self.assertEqual(recado.ddi_id, self.ddi)
        self.assertEqual(recado.caller_name, "Tour Caller")
        self.assertEqual(recado.urgency, "urgent")
        self.assertEqual(recado.category_id.code, "appointment")
        answers = (
            "Nombre del paciente: Marta Soler\n"
            "Teléfono de contacto: +34600123456\n"
            "Preferencia: tarde"
        )
        self.assertEqual(recado.callgest_answers, answers)
        self.assertEqual(recado.body, f"Please call back before noon.\n\n{answers}")
        self.assertEqual(recado.taken_by_id.login, "tour_console_secretary")
        # the flow without a call type still works
        self.assertEqual(plain.category_id.code, "callback")
        self.assertEqual(plain.body, "Wrong number, no call type.")
        self.assertFalse(plain.callgest_answers)
        # the incidencia of the call type, and the snippet in the mail queue
        incident = self.env["callgest.incident"].search(
            [("partner_id", "=", self.client_partner.id)]
        )
        self.assertEqual(len(incident), 1)
        self.assertEqual(incident.ddi_id, self.ddi)
        self.assertEqual(incident.caller_name, "Tour Caller")
        self.assertEqual(incident.description, "Broken tooth, strong pain.")
        self.assertFalse(incident.callgest_answers)
        mail = self.env["mail.mail"].search([("email_to", "=", "marta@example.com")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.subject, "Cómo llegar - Tour Clinic")
        self.assertIn("Calle Mayor 1, Barcelona", str(mail.body_html))
