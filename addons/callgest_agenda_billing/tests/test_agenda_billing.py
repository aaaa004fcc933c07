from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.callgest_billing.tests.common import CallgestBillingCommon

OCTOBER = "2026-10"


def agenda_line(move):
    return move.invoice_line_ids.filtered(
        lambda line: line.product_id.default_code == "CG-AGENDA"
    )


@tagged("post_install", "-at_install")
class TestAgendaBilling(CallgestBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dental = cls.make_client("Agenda Dental", "8811")
        lines = [(day, "morning", 9.0, 13.0) for day in "01234"] + [
            # a second attendance in Monday's morning counts once
            ("0", "morning", 13.0, 14.0),
            ("0", "afternoon", 15.0, 19.0),
            ("2", "afternoon", 15.0, 19.0),
        ]
        cls.dentist_hours = cls.env["resource.calendar"].create(
            {
                "name": "Dentist hours",
                "tz": "Europe/Madrid",
                "attendance_ids": [
                    (5, 0, 0),
                    *[
                        (
                            0,
                            0,
                            {
                                "name": f"{day} {period}",
                                "dayofweek": day,
                                "day_period": period,
                                "hour_from": hour_from,
                                "hour_to": hour_to,
                            },
                        )
                        for day, period, hour_from, hour_to in lines
                    ],
                ],
            }
        )
        cls.dentist = cls.env["resource.resource"].create(
            {
                "name": "Dentist",
                "callgest_client_id": cls.dental.id,
                "calendar_id": cls.dentist_hours.id,
            }
        )

    def invoice(self):
        return self.env["account.move"].browse(
            self.Invoicing.run_period(OCTOBER, [self.dental.id])
        )

    @freeze_time("2026-12-05")
    def test_modules_from_working_hours(self):
        self.assertEqual(self.dental.callgest_agenda_modules_computed, 7)
        self.assertEqual(self.dental.callgest_agenda_modules_billed, 7)
        line = agenda_line(self.invoice())
        self.assertEqual(line.quantity, 7)
        self.assertEqual(line.price_subtotal, 63.0, "7 modules x 9 EUR a month")

    @freeze_time("2026-12-05")
    def test_override_wins(self):
        self.dental.write({"callgest_agenda_modules": 3})
        self.assertTrue(self.dental.callgest_agenda_modules_manual)
        self.assertEqual(self.dental.callgest_agenda_modules_billed, 3)
        self.assertEqual(agenda_line(self.invoice()).price_subtotal, 27.0)

    @freeze_time("2026-12-05")
    def test_archived_professional_not_counted_and_cap(self):
        second = self.dentist.copy({"name": "Second dentist"})
        self.assertEqual(self.dental.callgest_agenda_modules_computed, 14)
        second.active = False
        self.dental.invalidate_recordset()
        self.assertEqual(self.dental.callgest_agenda_modules_computed, 7)
        second.active = True
        self.dental.invalidate_recordset()
        line = agenda_line(self.invoice())
        self.assertEqual(line.price_subtotal, 90.0, "14 x 9 EUR capped at 90 EUR")

    @freeze_time("2026-12-05")
    def test_appointment_notices_invoiced_as_messages(self):
        self.env["callgest.billable.event"].create(
            {
                "partner_id": self.dental.id,
                "company_id": self.company.id,
                "date": self.at(self.dental.callgest_activation_date.replace(month=10)),
                "event_type": "message_auto",
                "quantity": 3,
            }
        )
        move = self.invoice()
        messages = move.invoice_line_ids.filtered(
            lambda line: line.product_id.default_code == "CG-MSG"
        )
        self.assertEqual(sum(messages.mapped("quantity")), 3)
        self.assertAlmostEqual(sum(messages.mapped("price_subtotal")), 0.45)
