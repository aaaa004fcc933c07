from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

CLINIC_DDI = "+34933906700"


@tagged("post_install", "-at_install")
class TestCallTypes(CallgestBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Protocol = cls.env["callgest.protocol"]
        cls.protocol = cls.Protocol.create({"partner_id": cls.clinic.id})
        cls.version = cls.env["callgest.protocol.version"].create(
            {
                "protocol_id": cls.protocol.id,
                "state": "active",
                "call_type_ids": [
                    # created in the wrong order: sequence decides
                    Command.create(
                        {
                            "sequence": 20,
                            "name": "Urgencia",
                            "action": "incident",
                            "question_ids": [
                                Command.create(
                                    {
                                        "label": "Dolor",
                                        "field_type": "selection",
                                        "selection_options": "leve, moderado ,intenso",
                                        "required": True,
                                    }
                                )
                            ],
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 10,
                            "name": "Cita",
                            "action": "message",
                            "message_category_code": "appointment",
                            "instructions": "<p>Ask for the <b>patient</b>.</p>",
                            "question_ids": [
                                Command.create(
                                    {
                                        "sequence": 20,
                                        "label": "Teléfono",
                                        "field_type": "phone",
                                        "required": True,
                                    }
                                ),
                                Command.create(
                                    {
                                        "sequence": 10,
                                        "label": "Paciente",
                                        "field_type": "text",
                                        "required": True,
                                    }
                                ),
                            ],
                        }
                    ),
                    Command.create({"sequence": 30, "name": "Pedido"}),
                ],
                "snippet_ids": [
                    Command.create(
                        {"sequence": 2, "name": "Horario", "body": "L-V 8-21"}
                    ),
                    Command.create(
                        {"sequence": 1, "name": "Dirección", "body": "Diagonal 450"}
                    ),
                ],
            }
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

    def test_call_types_and_snippets_take_two_queries(self):
        version = self.version.with_user(self.secretary)
        version._lookup_call_types()  # warm the access and rule caches
        version._lookup_snippets()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        version._lookup_call_types()
        version._lookup_snippets()
        self.assertLessEqual(self.env.cr.sql_log_count - before, 2)

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
