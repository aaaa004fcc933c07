from odoo import models

HALF_DAYS = ("morning", "afternoon")


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _callgest_weekly_modules(self):
        """The half-day sessions a week of this calendar: each morning or
        afternoon of a day with working hours is one module, however many
        attendances it has; a two-week calendar counts its busier week."""
        self.ensure_one()
        sessions = {
            (
                line.week_type if self.two_weeks_calendar else False,
                line.dayofweek,
                line.day_period,
            )
            for line in self.attendance_ids
            if not line.display_type and line.day_period in HALF_DAYS
        }
        weeks = {week for week, _day, _period in sessions}
        return max(
            (sum(1 for s in sessions if s[0] == week) for week in weeks), default=0
        )
