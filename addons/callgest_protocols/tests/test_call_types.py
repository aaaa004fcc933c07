from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import (
    CLINIC_DDI,
    CallgestProtocolsCommon,
    call_type,
    question,
    snippet,
)


@tagged("post_install", "-at_install")
class TestCallTypes(CallgestProtocolsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.protocol, cls.version = cls.create_protocol(
            cls.clinic,
            call_type_ids=[
                # created in the wrong order: sequence decides
                call_type(
                    "Urgencia",
                    "incident",
                    sequence=20,
                    questions=[
                        question(
                            "Dolor",
                            "selection",
                            required=True,
                            selection_options="leve, moderado ,intenso",
                        )
                    ],
                ),
                call_type(
                    "Cita",
                    "message",
                    sequence=10,
                    message_category_code="appointment",
                    instructions="<p>Ask for the <b>patient</b>.</p>",
                    questions=[
                        question("Teléfono", "phone", sequence=20, required=True),
                        question("Paciente", "text", sequence=10, required=True),
                    ],
                ),
                call_type("Pedido", sequence=30),
            ],
            snippet_ids=[
                snippet("Horario", "L-V 8-21", sequence=2),
                snippet("Dirección", "Diagonal 450", sequence=1),
            ],
        )

    def test_lookup_returns_call_types_and_snippets_in_order(self):
        result = self.Protocol.with_user(self.secretary).lookup(
            CLINIC_DDI, "+34 611 222 333", "2026-11-23T10:00"
        )
        call_types = result["call_types"]
        self.assertEqual(
            [c["name"] for c in call_types], ["Cita", "Urgencia", "Pedido"]
        )
        appointment = call_types[0]
        self.assertEqual(appointment["action"], "message")
        self.assertEqual(appointment["message_category_code"], "appointment")
        self.assertEqual(appointment["instructions"], "Ask for the *patient*.")
        self.assertEqual(
            [
                (q["label"], q["field_type"], q["required"], q["options"])
                for q in appointment["questions"]
            ],
            [("Paciente", "text", True, []), ("Teléfono", "phone", True, [])],
        )
        self.assertTrue(all(q["id"] for q in appointment["questions"]))
        pain = call_types[1]["questions"][0]
        self.assertEqual(pain["options"], ["leve", "moderado", "intenso"])
        self.assertFalse(call_types[1]["message_category_code"])
        self.assertEqual(call_types[2]["questions"], [])
        self.assertEqual(
            result["snippets"],
            [
                {"name": "Dirección", "body": "Diagonal 450"},
                {"name": "Horario", "body": "L-V 8-21"},
            ],
        )
        unknown = self.Protocol.lookup("+34 911 000 000")
        self.assertEqual((unknown["call_types"], unknown["snippets"]), ([], []))

    def test_call_types_and_snippets_come_in_the_versions_query(self):
        Version = self.env["callgest.protocol.version"].with_user(self.secretary)
        protocol = self.version.protocol_id
        Version._lookup_active(protocol)  # warm the access and rule caches
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        version, content = Version._lookup_active(protocol)
        # the version with all its lines, then its record rules
        self.assertLessEqual(self.env.cr.sql_log_count - before, 2)
        self.assertEqual(version, self.version)
        self.assertEqual(
            [c["name"] for c in content["call_types"]], ["Cita", "Urgencia", "Pedido"]
        )
        self.assertEqual(len(content["snippets"]), 2)

    def test_new_draft_copies_call_types_and_snippets(self):
        action = self.protocol.with_user(self.supervisor).action_new_draft()
        draft = self.env["callgest.protocol.version"].browse(action["res_id"])
        self.env.invalidate_all()  # read the lines in their order
        self.assertEqual(len(draft.call_type_ids), 3)
        self.assertNotEqual(draft.call_type_ids, self.version.call_type_ids)
        self.assertEqual(
            draft.call_type_ids.mapped("name"), ["Cita", "Urgencia", "Pedido"]
        )
        self.assertEqual(
            draft.call_type_ids.question_ids.mapped("label"),
            self.version.call_type_ids.question_ids.mapped("label"),
        )
        self.assertEqual(len(draft.call_type_ids.question_ids), 3)
        self.assertNotEqual(
            draft.call_type_ids.question_ids, self.version.call_type_ids.question_ids
        )
        self.assertEqual(draft.snippet_ids.mapped("body"), ["Diagonal 450", "L-V 8-21"])
        self.assertNotEqual(draft.snippet_ids, self.version.snippet_ids)

    def test_selection_question_needs_options(self):
        call_type = self.version.call_type_ids[0]
        with self.assertRaises(ValidationError):
            call_type.write(
                {
                    "question_ids": [
                        Command.create({"label": "Turno", "field_type": "selection"})
                    ]
                }
            )
        with self.assertRaises(ValidationError):
            call_type.question_ids[0].write(
                {"field_type": "selection", "selection_options": " , "}
            )

    def test_secretaries_read_call_types_but_do_not_change_them(self):
        call_type = self.version.call_type_ids[0].with_user(self.secretary)
        self.assertEqual(call_type.name, "Cita")
        with self.assertRaises(AccessError):
            call_type.write({"name": "x"})
        self.version.call_type_ids[0].with_user(self.supervisor).write({"name": "Cita"})
