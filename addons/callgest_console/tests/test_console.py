import json

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.callgest_protocols.tests.common import (
    CLINIC_DDI,
    CallgestProtocolsCommon,
    call_type,
    caller_entries,
    question,
    transfers,
)

CALLER = "+34 611 222 333"


@tagged("post_install", "-at_install")
class TestCallConsole(CallgestProtocolsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Console = cls.env["callgest.call.console"]
        cls.Message = cls.env["callgest.message"]
        cls.protocol, cls.version = cls.create_protocol(
            cls.clinic,
            greeting="{greeting}, {client}",
            call_type_ids=[
                call_type(
                    "Cita",
                    "message",
                    message_category_code="appointment",
                    questions=[
                        question("Paciente", "text", sequence=1, required=True),
                        question("Teléfono", "phone", sequence=2, required=True),
                        question(
                            "Preferencia",
                            "selection",
                            sequence=3,
                            selection_options="mañana,tarde",
                        ),
                        question("Email", "email", sequence=4),
                    ],
                ),
            ],
            transfer_target_ids=transfers(("934 150 200", 20)),
            caller_entry_ids=caller_entries((CALLER, "vip", "Paciente VIP")),
        )
        cls.old_message = cls.Message.create(
            {
                "ddi_id": cls.clinic_ddi.id,
                "caller_name": "Ana",
                "caller_number": "611 222 333",
                "body": "Please call me back about my appointment.",
            }
        )
        cls.incident = cls.env["callgest.incident"].create(
            {
                "ddi_id": cls.clinic_ddi.id,
                "caller_number": "0034611222333",
                "description": "The door does not open.",
            }
        )
        # another caller and another client: not in the history
        cls.Message.create(
            {
                "ddi_id": cls.clinic_ddi.id,
                "caller_number": "699 000 111",
                "body": "Someone else",
            }
        )
        cls.pbx = new_test_user(
            cls.env,
            login="test_pbx",
            groups="base.group_user,callgest_base.group_callgest_pbx",
        )

    def test_console_data_for_a_known_ddi(self):
        result = self.Console.with_user(self.secretary).console_data(
            "93 390 67 00", CALLER
        )
        json.dumps(result)  # what goes over RPC
        self.assertEqual(result["client"], "Test Clinic")
        self.assertEqual(result["ddi"], CLINIC_DDI)
        self.assertEqual(result["protocol_id"], self.protocol.id)
        self.assertTrue(result["greeting"].endswith(", Test Clinic"))
        self.assertEqual(result["caller_category"], "vip")
        self.assertEqual(len(result["transfer_targets"]), 1)
        # the PBX's decision, shown as a notice when the call is not served
        self.assertEqual((result["serve"], result["serve_reason"]), (True, False))
        history = result["history"]
        self.assertEqual(
            {item["name"] for item in history},
            {self.old_message.name, self.incident.name},
        )
        message = next(item for item in history if item["kind"] == "message")
        self.assertEqual(message["state"], "Draft")
        self.assertEqual(message["category"], self.old_message.category_id.name)
        self.assertIn("call me back", message["excerpt"])
        self.assertRegex(message["date"], r"^\d\d/\d\d/\d{4} \d\d:\d\d$")
        self.assertIn("message", [c["code"] for c in result["categories"]])
        self.assertNotIn("incident", [c["code"] for c in result["categories"]])

    def test_console_data_without_caller_or_for_an_unknown_ddi(self):
        withheld = self.Console.with_user(self.secretary).console_data(CLINIC_DDI)
        self.assertEqual(withheld["history"], [])
        unknown = self.Console.with_user(self.secretary).console_data(
            "+34 911 000 000", CALLER
        )
        self.assertFalse(unknown["client"])
        self.assertEqual(unknown["reason"], "unknown_ddi")
        self.assertEqual(unknown["history"], [])

    def test_console_is_for_secretaries(self):
        with self.assertRaises(AccessError):
            self.Console.with_user(self.pbx).console_data(CLINIC_DDI, CALLER)
        with self.assertRaises(AccessError):
            self.Console.with_user(self.pbx).create_recado(
                {"ddi_number": CLINIC_DDI, "body": "x"}
            )

    def test_create_recado(self):
        result = self.Console.with_user(self.secretary).create_recado(
            {
                "ddi_number": "0034 933 906 700",
                "caller_name": "Luis",
                "caller_number": CALLER,
                "category_code": "callback",
                "urgency": "urgent",
                "body": "Wants an appointment.",
                "answers": [
                    {"label": "Patient", "answer": "Luis Pérez"},
                    {"label": "Best time", "answer": "mornings"},
                    {"label": "Unanswered", "answer": ""},
                ],
            }
        )
        recado = self.Message.browse(result["id"])
        self.assertEqual(result["name"], recado.name)
        self.assertEqual(recado.state, "to_deliver")
        self.assertEqual(recado.ddi_id, self.clinic_ddi)
        self.assertEqual(recado.partner_id, self.clinic)
        self.assertEqual(recado.caller_name, "Luis")
        self.assertEqual(recado.category_id.code, "callback")
        self.assertEqual(recado.urgency, "urgent")
        self.assertEqual(recado.taken_by_id, self.secretary)
        self.assertEqual(
            recado.body,
            "Wants an appointment.\n\nPatient: Luis Pérez\nBest time: mornings",
        )
        # and it is now in the caller's history
        history = self.Console.with_user(self.secretary).console_data(
            CLINIC_DDI, "611222333"
        )["history"]
        self.assertEqual(history[0]["name"], recado.name)

    def test_notify_incoming_call(self):
        with self.assertRaises(AccessError):
            self.Console.with_user(self.secretary).notify_incoming_call(
                "test_supervisor", CLINIC_DDI, CALLER
            )
        Bus = self.env["bus.bus"].sudo()
        self.env.cr.precommit.run()
        before = Bus.search([])
        self.assertTrue(
            self.Console.with_user(self.pbx).notify_incoming_call(
                "test_secretary", CLINIC_DDI, CALLER
            )
        )
        self.env.cr.precommit.run()
        notifications = Bus.search(
            [
                ("id", "not in", before.ids),
                ("message", "like", "callgest_console/incoming_call"),
            ]
        )
        self.assertEqual(len(notifications), 1)
        channel = json.loads(notifications.channel)
        self.assertEqual(
            channel, [self.env.cr.dbname, "res.partner", self.secretary.partner_id.id]
        )
        message = json.loads(notifications.message)
        self.assertEqual(message["type"], "callgest_console/incoming_call")
        self.assertEqual(
            message["payload"], {"ddi_number": CLINIC_DDI, "caller_number": CALLER}
        )
        # supervisors may too; an unknown login is refused
        self.Console.with_user(self.supervisor).notify_incoming_call(
            "test_secretary", CLINIC_DDI
        )
        with self.assertRaises(UserError):
            self.Console.with_user(self.pbx).notify_incoming_call(
                "nobody_here", CLINIC_DDI
            )

    def test_create_recado_needs_a_known_ddi_and_category(self):
        console = self.Console.with_user(self.secretary)
        with self.assertRaises(UserError):
            console.create_recado({"ddi_number": "+34 911 000 000", "body": "x"})
        with self.assertRaises(UserError):
            console.create_recado(
                {"ddi_number": CLINIC_DDI, "category_code": "incident", "body": "x"}
            )

    def _answers(self, **answers):
        questions = {q.label: q.id for q in self.version.call_type_ids.question_ids}
        return [
            {"question_id": questions[label], "answer": value}
            for label, value in answers.items()
        ]

    def test_console_data_has_the_call_types(self):
        result = self.Console.with_user(self.secretary).console_data(CLINIC_DDI)
        self.assertEqual([c["name"] for c in result["call_types"]], ["Cita"])
        self.assertEqual(
            [q["label"] for q in result["call_types"][0]["questions"]],
            ["Paciente", "Teléfono", "Preferencia", "Email"],
        )

    def test_create_recado_with_a_call_type(self):
        call_type = self.version.call_type_ids
        result = self.Console.with_user(self.secretary).create_recado(
            {
                "ddi_number": CLINIC_DDI,
                "caller_number": CALLER,
                "category_code": "callback",
                "body": "Needs a cleaning.",
                "call_type_id": call_type.id,
                "answers": self._answers(
                    Paciente="Luis Pérez", Teléfono="611 222 333", Preferencia="tarde"
                ),
            }
        )
        recado = self.Message.browse(result["id"])
        answers = "Paciente: Luis Pérez\nTeléfono: +34611222333\nPreferencia: tarde"
        self.assertEqual(recado.callgest_answers, answers)
        self.assertEqual(recado.body, f"Needs a cleaning.\n\n{answers}")
        # the category of the call type wins over the one chosen
        self.assertEqual(recado.category_id.code, "appointment")
        self.assertEqual(recado.state, "to_deliver")
        # without a category code the chosen one is kept; the body may be empty
        call_type.message_category_code = False
        result = self.Console.with_user(self.secretary).create_recado(
            {
                "ddi_number": CLINIC_DDI,
                "category_code": "callback",
                "call_type_id": call_type.id,
                "answers": [
                    {"label": "Paciente", "answer": "Ana"},
                    {"label": "Teléfono", "answer": "+351 912 345 678"},
                ],
            }
        )
        recado = self.Message.browse(result["id"])
        self.assertEqual(recado.category_id.code, "callback")
        self.assertEqual(recado.body, "Paciente: Ana\nTeléfono: +351912345678")

    def test_call_type_answers_are_checked(self):
        console = self.Console.with_user(self.secretary)
        call_type = self.version.call_type_ids

        def send(**answers):
            return console.create_recado(
                {
                    "ddi_number": CLINIC_DDI,
                    "body": "x",
                    "call_type_id": call_type.id,
                    "answers": self._answers(**answers),
                }
            )

        with self.assertRaisesRegex(UserError, "Cita: Paciente, Teléfono"):
            send(Preferencia="tarde")
        with self.assertRaisesRegex(UserError, "Cita: Teléfono"):
            send(Paciente="Luis", Teléfono="   ")
        with self.assertRaisesRegex(UserError, "Teléfono: 12 is not a valid telephone"):
            send(Paciente="Luis", Teléfono="12")
        with self.assertRaisesRegex(UserError, "Preferencia: noche is not one of"):
            send(Paciente="Luis", Teléfono="611 222 333", Preferencia="noche")
        with self.assertRaisesRegex(UserError, "Email: luis@ is not a valid email"):
            send(Paciente="Luis", Teléfono="611 222 333", Email="luis@")
        # a call type of another client's protocol is refused
        other = self.env["callgest.protocol"].create({"partner_id": self.law_firm.id})
        other_version = self.env["callgest.protocol.version"].create(
            {
                "protocol_id": other.id,
                "call_type_ids": [Command.create({"name": "Consulta"})],
            }
        )
        with self.assertRaisesRegex(UserError, "not in the client's protocol"):
            console.create_recado(
                {
                    "ddi_number": CLINIC_DDI,
                    "body": "x",
                    "call_type_id": other_version.call_type_ids.id,
                }
            )
        self.assertFalse(
            self.Message.search(
                [("partner_id", "=", self.clinic.id), ("body", "=", "x")]
            )
        )

    def _incident_call_type(self):
        return self.env["callgest.protocol.call.type"].create(
            {
                "version_id": self.version.id,
                "name": "Avería",
                "action": "incident",
                "question_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "label": "Equipo",
                            "field_type": "text",
                            "required": True,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 2,
                            "label": "Teléfono",
                            "field_type": "phone",
                        }
                    ),
                ],
            }
        )

    def test_create_incident_with_a_call_type(self):
        call_type = self._incident_call_type()
        recipient = self.env["callgest.recipient"].create(
            {
                "partner_id": self.clinic.id,
                "channel": "email",
                "address": "averias@clinic.example.com",
            }
        )
        questions = {q.label: q.id for q in call_type.question_ids}
        result = self.Console.with_user(self.secretary).create_incident(
            {
                "ddi_number": "0034 933 906 700",
                "caller_name": "Luis",
                "caller_number": CALLER,
                "description": "The chair does not go up.",
                "call_type_id": call_type.id,
                "answers": [
                    {"question_id": questions["Equipo"], "answer": "Sillón 2"},
                    {"question_id": questions["Teléfono"], "answer": "611 222 333"},
                ],
            }
        )
        incident = self.env["callgest.incident"].browse(result["id"])
        self.assertEqual(result["name"], incident.name)
        self.assertNotEqual(incident.name, "/")
        self.assertEqual(incident.ddi_id, self.clinic_ddi)
        self.assertEqual(incident.partner_id, self.clinic)
        self.assertEqual(incident.caller_name, "Luis")
        self.assertEqual(incident.caller_number, CALLER)
        answers = "Equipo: Sillón 2\nTeléfono: +34611222333"
        self.assertEqual(incident.callgest_answers, answers)
        self.assertEqual(
            incident.description, f"The chair does not go up.\n\n{answers}"
        )
        self.assertEqual(incident.delivery_ids.recipient_id, recipient)
        self.assertEqual(incident.delivery_ids.kind, "incident")
        self.assertEqual(incident.delivery_ids.state, "queued")
        # no recado is taken for it
        self.assertFalse(
            self.Message.search([("body", "like", "The chair does not go up.")])
        )

    def test_create_incident_checks_the_answers(self):
        console = self.Console.with_user(self.secretary)
        call_type = self._incident_call_type()
        Incident = self.env["callgest.incident"]
        before = Incident.search_count([])
        with self.assertRaisesRegex(UserError, "Avería: Equipo"):
            console.create_incident(
                {
                    "ddi_number": CLINIC_DDI,
                    "description": "Broken",
                    "call_type_id": call_type.id,
                    "answers": [{"label": "Teléfono", "answer": "611 222 333"}],
                }
            )
        with self.assertRaisesRegex(UserError, "not a valid telephone"):
            console.create_incident(
                {
                    "ddi_number": CLINIC_DDI,
                    "call_type_id": call_type.id,
                    "answers": [
                        {"label": "Equipo", "answer": "Sillón"},
                        {"label": "Teléfono", "answer": "12"},
                    ],
                }
            )
        # a recado call type does not open an incidencia, nor an unknown DDI
        with self.assertRaisesRegex(UserError, "does not fit"):
            console.create_incident(
                {
                    "ddi_number": CLINIC_DDI,
                    "description": "Broken",
                    "call_type_id": self.version.call_type_ids.filtered(
                        lambda c: c.action == "message"
                    ).id,
                }
            )
        with self.assertRaises(UserError):
            console.create_incident(
                {"ddi_number": "+34 911 000 000", "description": "Broken"}
            )
        with self.assertRaisesRegex(UserError, "Describe the incidencia"):
            console.create_incident({"ddi_number": CLINIC_DDI, "description": " "})
        self.assertEqual(Incident.search_count([]), before)
        with self.assertRaises(AccessError):
            self.Console.with_user(self.pbx).create_incident(
                {"ddi_number": CLINIC_DDI, "description": "Broken"}
            )

    def test_send_snippet(self):
        self.env.company.email = "centralita@callgest.example"
        snippet = self.env["callgest.protocol.snippet"].create(
            {
                "version_id": self.version.id,
                "name": "Cómo llegar",
                "body": "Calle Mayor 1 <bajo>\nMetro Sol & bus 5",
            }
        )
        console = self.Console.with_user(self.secretary)
        data = console.console_data(CLINIC_DDI)
        self.assertIn(
            {"id": snippet.id, "name": "Cómo llegar", "body": snippet.body},
            data["snippets"],
        )
        mail_id = console.send_snippet(snippet.id, "93 390 67 00", " Luis@Example.COM ")
        mail = self.env["mail.mail"].browse(mail_id)
        self.assertEqual(mail.email_to, "luis@example.com")
        self.assertEqual(mail.subject, "Cómo llegar - Test Clinic")
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("centralita@callgest.example", mail.email_from)
        self.assertIn("Calle Mayor 1 &lt;bajo&gt;", str(mail.body_html))
        self.assertIn("Metro Sol &amp; bus 5", str(mail.body_html))
        self.assertNotIn("<bajo>", str(mail.body_html))

    def test_send_snippet_is_refused(self):
        self.env.company.email = "centralita@callgest.example"
        snippet = self.env["callgest.protocol.snippet"].create(
            {"version_id": self.version.id, "name": "Horario", "body": "9-14"}
        )
        other = self.env["callgest.protocol"].create({"partner_id": self.law_firm.id})
        other_version = self.env["callgest.protocol.version"].create(
            {
                "protocol_id": other.id,
                "state": "active",
                "snippet_ids": [Command.create({"name": "Tarifas", "body": "50 €"})],
            }
        )
        self.create_ddi("91 555 44 33", self.spain, self.law_firm)
        console = self.Console.with_user(self.secretary)
        Mail = self.env["mail.mail"]
        before = Mail.search_count([])
        # another client's snippet, on this client's DDI and on an unknown one
        with self.assertRaisesRegex(UserError, "not in the client's protocol"):
            console.send_snippet(
                other_version.snippet_ids.id, CLINIC_DDI, "luis@example.com"
            )
        with self.assertRaisesRegex(UserError, "not in the client's protocol"):
            console.send_snippet(snippet.id, "91 555 44 33", "luis@example.com")
        with self.assertRaisesRegex(UserError, "not in the client's protocol"):
            console.send_snippet(snippet.id, "+34 911 000 000", "luis@example.com")
        with self.assertRaisesRegex(UserError, "not a valid email address"):
            console.send_snippet(snippet.id, CLINIC_DDI, "luis@")
        # a snippet of a version that is no longer active
        self.version.state = "archived"
        with self.assertRaisesRegex(UserError, "not in the client's protocol"):
            console.send_snippet(snippet.id, CLINIC_DDI, "luis@example.com")
        self.assertEqual(Mail.search_count([]), before)
        with self.assertRaises(AccessError):
            self.Console.with_user(self.pbx).send_snippet(
                snippet.id, CLINIC_DDI, "luis@example.com"
            )


@tagged("post_install", "-at_install", "demo_data")
class TestDemoLanding(TransactionCase):
    def test_demo_secretary_lands_on_her_console(self):
        secretary = self.env.ref("callgest_base.user_secretaria")
        # action_id is an ir.actions.actions, the console an ir.actions.client
        self.assertEqual(
            secretary.action_id.id,
            self.env.ref("callgest_console.action_callgest_call_console").id,
        )
