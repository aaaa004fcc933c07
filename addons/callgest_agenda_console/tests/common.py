"""An agenda of its own for the tests: professionals who work 09:00-13:00
(Madrid) only on the weekday two days from today, so that the free slots
do not depend on the current weekday or time, nor on demo data."""

from datetime import datetime, time, timedelta

import pytz

from odoo import Command, fields

TZ = pytz.timezone("Europe/Madrid")


def agenda_day():
    """The local date the test professionals work: two days from today."""
    return datetime.now(TZ).date() + timedelta(days=2)


def slot_start(hour, minute=0):
    """The naive UTC start (Odoo's format) of ``hour:minute`` local on the
    agenda day."""
    local = TZ.localize(datetime.combine(agenda_day(), time(hour, minute)))
    return fields.Datetime.to_string(local.astimezone(pytz.utc).replace(tzinfo=None))


def create_agenda_calendar(env):
    return env["resource.calendar"].create(
        {
            "name": "Agenda test hours",
            "tz": TZ.zone,
            "attendance_ids": [
                Command.create(
                    {
                        "name": "Morning",
                        "dayofweek": str(agenda_day().weekday()),
                        "hour_from": 9,
                        "hour_to": 13,
                        "day_period": "morning",
                    }
                )
            ],
        }
    )


def create_professional(env, client, calendar, name):
    return env["resource.resource"].create(
        {
            "name": name,
            "callgest_client_id": client.id,
            "calendar_id": calendar.id,
            "tz": TZ.zone,
        }
    )


def create_type(env, client, calendar, professionals, name, questions=()):
    """A 30-minute type on a 30-minute grid, one hour's notice."""
    return env["resource.booking.type"].create(
        {
            "name": name,
            "callgest_client_id": client.id,
            "resource_calendar_id": calendar.id,
            "duration": 0.5,
            "slot_duration": 0.5,
            "callgest_min_notice_hours": 1,
            "callgest_horizon_days": 30,
            "location": "Avinguda Diagonal, 450",
            "callgest_resource_ids": [Command.set(professionals.ids)],
            "callgest_question_ids": [
                Command.create({"name": label, "required": required, "sequence": seq})
                for seq, (label, required) in enumerate(questions, start=1)
            ],
        }
    )
