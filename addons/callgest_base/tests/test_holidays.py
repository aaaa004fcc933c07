from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestHolidays(TransactionCase):
    def test_holidays_are_whole_local_days_stored_in_utc(self):
        calendar = self.env["resource.calendar"].create(
            {"name": "Madrid test hours", "tz": "Europe/Madrid"}
        )
        leaves = calendar.callgest_add_holidays(
            [
                ("2026-01-01", "Año Nuevo", "national"),
                ("2026-08-15", "Asunción", "national"),
                ("2026-09-11", "Diada", "regional"),
            ]
        )
        self.assertEqual(len(leaves), 3)
        new_year = leaves.filtered(lambda leave: leave.name == "Año Nuevo")
        # Midnight in Madrid is 23:00 UTC the day before in winter, 22:00 in summer.
        self.assertEqual(new_year.date_from, datetime(2025, 12, 31, 23, 0))
        self.assertEqual(new_year.date_to, datetime(2026, 1, 1, 22, 59, 59))
        august = leaves.filtered(lambda leave: leave.name == "Asunción")
        self.assertEqual(august.date_from, datetime(2026, 8, 14, 22, 0))
        self.assertEqual(
            leaves.mapped("callgest_holiday_scope"),
            ["national", "national", "regional"],
        )
        # Working hours drop on the holiday only.
        hours = calendar.get_work_hours_count(
            datetime(2025, 12, 31, 0, 0),
            datetime(2026, 1, 3, 0, 0),
            compute_leaves=True,
        )
        self.assertEqual(
            hours, 16.0
        )  # Dec 31 and Jan 2, 8 h each in the default calendar

    def test_adding_holidays_twice_is_harmless(self):
        calendar = self.env["resource.calendar"].create(
            {"name": "Lisboa", "tz": "Europe/Lisbon"}
        )
        calendar.callgest_add_holidays([("2026-06-13", "Santo António", "local")])
        again = calendar.callgest_add_holidays(
            [("2026-06-13", "Santo António", "local")]
        )
        self.assertFalse(again)
        self.assertEqual(len(calendar.global_leave_ids), 1)

    def test_unknown_scope_is_refused(self):
        calendar = self.env["resource.calendar"].create(
            {"name": "Chile", "tz": "America/Santiago"}
        )
        with self.assertRaises(UserError):
            calendar.callgest_add_holidays(
                [("2026-09-18", "Fiestas Patrias", "planetary")]
            )
