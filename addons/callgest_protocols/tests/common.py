"""Protocols for the tests: builders of the lines a version holds, and a
protocol with its active version in one call.

The builders return ``Command.create`` values, so a test states only what
differs from the defaults (a question is optional, a call type takes a
message, etc.); ``create_protocol`` works on any environment (a
``TransactionCase`` or an ``HttpCase``), ``CallgestProtocolsCommon`` adds it
to callgest_base's clients, DDIs and users.
"""

from odoo import Command

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

CLINIC_DDI = "+34933906700"  # the clinic's DDI of CallgestBaseCommon, E.164


def question(label, field_type="text", sequence=None, required=False, **values):
    """A question of a call type (``selection_options`` for a selection)."""
    values = {"label": label, "field_type": field_type, **values}
    if sequence is not None:
        values["sequence"] = sequence
    if required:
        values["required"] = True
    return Command.create(values)


def call_type(name, action=None, sequence=None, questions=(), **values):
    """A call type of a version, its questions built with ``question()``."""
    values = {"name": name, **values}
    if action:
        values["action"] = action
    if sequence is not None:
        values["sequence"] = sequence
    if questions:
        values["question_ids"] = list(questions)
    return Command.create(values)


def snippet(name, body, sequence=None):
    values = {"name": name, "body": body}
    if sequence is not None:
        values["sequence"] = sequence
    return Command.create(values)


def transfers(*targets):
    """The transfer cascade from ``(number, ring_seconds)`` pairs, in order."""
    return [
        Command.create({"number": number, "ring_seconds": ring})
        for number, ring in targets
    ]


def caller_entries(*entries):
    """Caller list entries from ``(pattern, category, reason)`` triples."""
    return [
        Command.create({"pattern": pattern, "category": category, "reason": reason})
        for pattern, category, reason in entries
    ]


def create_calendar(env, name, hour_from, hour_to, days=range(5), tz=None):
    """Business hours: the same hours on each of ``days`` (0 is Monday)."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": tz or "Europe/Madrid",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "morning",
                    }
                )
                for day in days
            ],
        }
    )


def create_protocol(env, client, ddi=None, state="active", **version_values):
    """A protocol of ``client`` (of ``ddi`` when given) and one version of
    it, active by default; returns ``(protocol, version)``."""
    values = {"partner_id": client.id}
    if ddi:
        values["ddi_id"] = ddi.id
    protocol = env["callgest.protocol"].create(values)
    version = env["callgest.protocol.version"].create(
        {"protocol_id": protocol.id, "state": state, **version_values}
    )
    return protocol, version


class CallgestProtocolsCommon(CallgestBaseCommon):
    """callgest_base's fixtures, with the protocol models at hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Protocol = cls.env["callgest.protocol"]
        cls.Version = cls.env["callgest.protocol.version"]

    @classmethod
    def create_protocol(cls, client, ddi=None, state="active", **version_values):
        return create_protocol(cls.env, client, ddi, state, **version_values)
