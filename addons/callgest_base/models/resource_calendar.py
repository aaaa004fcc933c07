from datetime import datetime, time, timedelta

import pytz

from odoo import _, fields, models
from odoo.exceptions import UserError


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    callgest_client_ids = fields.One2many(
        "res.partner", "callgest_calendar_id", string="CallGest clients"
    )

    def callgest_add_holidays(self, holidays):
        """Add public holidays as whole-day leaves in the calendar's timezone.

        :param holidays: iterable of ``(date, name, scope)`` where ``date`` is a
            ``date`` or ``"YYYY-MM-DD"`` and ``scope`` is national, regional or
            local. A holiday already present on that day is left as it is.
        :return: the created leaves
        """
        leaves = self.env["resource.calendar.leaves"]
        scopes = dict(
            leaves._fields["callgest_holiday_scope"]._description_selection(self.env)
        )
        for calendar in self:
            tz = pytz.timezone(calendar.tz or "UTC")
            existing = {
                leave.date_from
                for leave in leaves.search(
                    [("calendar_id", "=", calendar.id), ("resource_id", "=", False)]
                )
            }
            vals_list = []
            for day, name, scope in holidays:
                if scope not in scopes:
                    raise UserError(
                        _(
                            "Unknown holiday scope %(scope)s for %(name)s: use "
                            "national, regional or local.",
                            scope=scope,
                            name=name,
                        )
                    )
                day = fields.Date.to_date(day)
                start = tz.localize(datetime.combine(day, time.min))
                end = tz.localize(datetime.combine(day + timedelta(days=1), time.min))
                date_from = start.astimezone(pytz.utc).replace(tzinfo=None)
                if date_from in existing:
                    continue
                vals_list.append(
                    {
                        "name": name,
                        "calendar_id": calendar.id,
                        "company_id": calendar.company_id.id,
                        "date_from": date_from,
                        "date_to": end.astimezone(pytz.utc).replace(tzinfo=None)
                        - timedelta(seconds=1),
                        "time_type": "leave",
                        "callgest_holiday_scope": scope,
                    }
                )
                existing.add(date_from)
            leaves |= leaves.create(vals_list)
        return leaves
