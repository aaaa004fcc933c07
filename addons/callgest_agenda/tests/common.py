"""An agenda built from nothing (no demo data): a client of Madrid with its
business hours, a type of appointment and its professionals."""

from datetime import datetime, time, timedelta

import pytz

from odoo import Command, fields

MADRID = pytz.timezone("Europe/Madrid")


def hours_calendar(env, name, hour_from, hour_to, days=range(7)):
    """A calendar of Madrid open ``hour_from``-``hour_to`` on ``days``."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Madrid",
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{name} {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning" if hour_from < 12 else "afternoon",
                    }
                )
                for day in days
            ],
        }
    )


def build_agenda(env, name, professionals=("Dr. Ana", "Dr. Bruno"), **type_values):
    """``(client, client_calendar, booking_type, professionals)``: the client
    opens 09:00-19:00 every day, the professionals work 08:00-20:00 every
    day; the type lasts 30 minutes on a 30-minute grid."""
    client_calendar = hours_calendar(env, f"{name} hours", 9.0, 19.0)
    client = env["res.partner"].create(
        {
            "name": name,
            "is_company": True,
            "is_callgest_client": True,
            "country_id": env.ref("base.es").id,
            "tz": "Europe/Madrid",
            "lang": "en_US",
            "callgest_calendar_id": client_calendar.id,
        }
    )
    pro_calendar = hours_calendar(env, f"{name} professionals", 8.0, 20.0)
    resources = env["resource.resource"].create(
        [
            {
                "name": f"{professional} ({name})",
                "resource_type": "material",
                "calendar_id": pro_calendar.id,
                "tz": "Europe/Madrid",
                "callgest_client_id": client.id,
            }
            for professional in professionals
        ]
    )
    booking_type = env["resource.booking.type"].create(
        {
            "name": f"First visit ({name})",
            "callgest_client_id": client.id,
            "resource_calendar_id": client_calendar.id,
            "duration": 0.5,
            "slot_duration": 0.5,
            "callgest_min_notice_hours": 1.0,
            "callgest_horizon_days": 30,
            "callgest_resource_ids": [Command.set(resources.ids)],
            **type_values,
        }
    )
    return client, client_calendar, booking_type, resources


def local_day(offset):
    """The date in Madrid ``offset`` days from today."""
    return (datetime.now(pytz.utc).astimezone(MADRID) + timedelta(days=offset)).date()


def utc_string(day, hour, minute=0):
    """Odoo's UTC string of ``day`` at ``hour:minute`` in Madrid."""
    moment = MADRID.localize(datetime.combine(day, time(hour, minute)))
    return fields.Datetime.to_string(moment.astimezone(pytz.utc).replace(tzinfo=None))
