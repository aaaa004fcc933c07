from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import email_normalize, format_datetime

from odoo.addons.callgest_base.tools.phone_validation import parse_number

SLOT_LIMIT = 8
APPOINTMENT_LIMIT = 10
# "lun. 07/12/2026 09:30": the weekday matters on the telephone
SLOT_FORMAT = "EEE dd/MM/yyyy HH:mm"


class CallgestCallConsole(models.AbstractModel):
    """The client's agenda in the call console: its appointment types and
    professionals with the lookup, free slots, booking, and the caller's
    appointments to move or cancel."""

    _inherit = "callgest.call.console"

    # ------------------------------------------------------------------
    # Lookup
    # ------------------------------------------------------------------
    @api.model
    def console_data(self, ddi_number, caller_number=None, when=None):
        """The console's lookup plus ``agenda`` (the client's appointment
        types with their questions and professionals) and ``appointments``
        (the caller's coming appointments with the client)."""
        result = super().console_data(ddi_number, caller_number, when)
        client = self.env["res.partner"].browse(result.get("client_id") or [])
        result["agenda"] = self._agenda_data(client)
        result["appointments"] = self._caller_appointments(client, caller_number)
        return result

    @api.model
    def _agenda_data(self, client):
        """``{"types": [...], "professionals": [...]}`` of ``client``'s agenda:
        the types somebody gives, each with its questions and the ids of its
        professionals."""
        if not client:
            return {"types": [], "professionals": []}
        types = client.callgest_agenda_type_ids.filtered(
            lambda booking_type: (
                booking_type.active and booking_type._callgest_bookable_resources()
            )
        )
        professionals = client.callgest_agenda_resource_ids.filtered("active")
        return {
            "types": [
                {
                    "id": booking_type.id,
                    "name": booking_type.name,
                    "duration_minutes": round(booking_type.duration * 60),
                    "location": booking_type.location or "",
                    "resource_ids": booking_type._callgest_bookable_resources().ids,
                    "questions": [
                        {
                            "id": question.id,
                            "name": question.name,
                            "required": question.required,
                        }
                        for question in booking_type.callgest_question_ids
                    ],
                }
                for booking_type in types
            ],
            "professionals": [
                {"id": resource.id, "name": resource.name} for resource in professionals
            ],
        }

    @api.model
    def _caller_phones(self, client, caller_number):
        """The forms of ``caller_number`` a booking stores (``callgest_book``
        keeps the international form)."""
        number = (caller_number or "").strip()
        if not number:
            return []
        try:
            info = parse_number(number, client.country_id.code)
        except UserError:
            return [number]
        return [info.international, info.e164]

    @api.model
    def _caller_appointments(self, client, caller_number=None, caller_email=None):
        """The caller's coming appointments with ``client``, found by his
        number (any written form) or his email."""
        if not client:
            return []
        conditions = []
        phones = self._caller_phones(client, caller_number)
        if phones:
            conditions.append([("callgest_caller_phone", "in", phones)])
        email = email_normalize(caller_email or "")
        if email:
            conditions.append([("callgest_caller_email", "=", email)])
        if not conditions:
            return []
        bookings = self.env["resource.booking"].search(
            expression.AND(
                [
                    [
                        ("callgest_client_id", "=", client.id),
                        ("stop", ">=", fields.Datetime.now()),
                    ],
                    expression.OR(conditions),
                ]
            ),
            order="start, id",
            limit=APPOINTMENT_LIMIT,
        )
        states = dict(bookings._fields["state"]._description_selection(self.env))
        return [
            {
                "id": booking.id,
                "type_id": booking.type_id.id,
                "type": booking.type_id.name,
                "resource_id": booking.callgest_resource_id.id,
                "resource": booking.callgest_resource_id.name or "",
                "when": self._slot_label(booking.type_id, booking.start),
                "caller": booking.callgest_caller_name or "",
                "state": states.get(booking.state, booking.state),
            }
            for booking in bookings
        ]

    @api.model
    def _slot_label(self, booking_type, start):
        """``start`` (naive UTC) as the client reads it, with the weekday."""
        return format_datetime(
            self.env, start, tz=booking_type._callgest_tz().zone, dt_format=SLOT_FORMAT
        )

    # ------------------------------------------------------------------
    # What the agenda panel calls
    # ------------------------------------------------------------------
    @api.model
    def _agenda_client(self, ddi_number):
        """The client answered on ``ddi_number``, or a UserError."""
        self._check_secretary()
        ddi = self.env["callgest.ddi"]._resolve(ddi_number or "")
        if not ddi or not ddi.partner_id:
            raise UserError(_("Look up a known DDI before taking the call."))
        return ddi.partner_id

    @api.model
    def _agenda_type(self, client, type_id):
        booking_type = self.env["resource.booking.type"].browse(int(type_id or 0))
        if not booking_type.exists() or booking_type.callgest_client_id != client:
            raise UserError(
                _("This type of appointment is not in the client's agenda.")
            )
        return booking_type

    @api.model
    def _agenda_booking(self, client, booking_id):
        booking = self.env["resource.booking"].browse(int(booking_id or 0)).exists()
        if not booking or booking.callgest_client_id != client:
            raise UserError(_("This appointment is not in the client's agenda."))
        return booking

    @api.model
    def agenda_slots(self, ddi_number, type_id, resource_id=False, limit=SLOT_LIMIT):
        """The first free slots of a type of the client of ``ddi_number``,
        across its professionals or with ``resource_id``.

        :return: ``callgest_slots_for_display()``'s dicts plus ``label``, the
            start as the client reads it with its weekday.
        """
        client = self._agenda_client(ddi_number)
        booking_type = self._agenda_type(client, type_id)
        resource = self.env["resource.resource"]
        if resource_id:
            resource = resource.browse(int(resource_id))
            if resource not in booking_type.callgest_resource_ids:
                raise UserError(
                    _(
                        "%(professional)s does not give %(type)s.",
                        professional=resource.exists().name or "",
                        type=booking_type.name,
                    )
                )
        slots = booking_type.callgest_slots_for_display(
            limit=max(1, min(int(limit or SLOT_LIMIT), 50)),
            resource_id=resource.id or None,
            days=booking_type.callgest_horizon_days or 14,
        )
        for slot in slots:
            slot["label"] = self._slot_label(booking_type, slot["start"])
        return slots

    @api.model
    def _agenda_answers(self, booking_type, answers):
        """The answers to ``booking_type``'s questions as "Question: answer"
        lines; a UserError naming the required ones left unanswered."""
        by_id = {
            int(answer["question_id"]): str(answer.get("answer") or "").strip()
            for answer in answers or []
            if answer.get("question_id")
        }
        lines, missing = [], []
        for question in booking_type.callgest_question_ids:
            value = by_id.get(question.id, "")
            if value:
                lines.append(f"{question.name}: {value}")
            elif question.required:
                missing.append(question.name)
        if missing:
            raise UserError(
                _(
                    "Answer the required questions of %(type)s: %(questions)s.",
                    type=booking_type.name,
                    questions=", ".join(missing),
                )
            )
        return "\n".join(lines)

    @api.model
    def agenda_book(self, values):
        """Book a slot for the caller of the console.

        :param values: a dict with ``ddi_number``, ``type_id``, ``start``
            (UTC, Odoo's format, as ``agenda_slots`` gives it), optionally
            ``resource_id``, ``caller_name``, ``caller_number``,
            ``caller_email``, ``notify_caller`` and ``answers``, a list of
            ``{"question_id": ..., "answer": ...}``.
        :return: ``{"id", "when", "resource"}`` of the appointment.
        :raise ValidationError: from ``resource.booking.callgest_book`` when
            the slot cannot be booked, with the reason and the next free slot.
        """
        client = self._agenda_client(values.get("ddi_number"))
        booking_type = self._agenda_type(client, values.get("type_id"))
        if not values.get("start"):
            raise UserError(_("Choose a free slot first."))
        answers = self._agenda_answers(booking_type, values.get("answers"))
        booking_id = self.env["resource.booking"].callgest_book(
            booking_type.id,
            values["start"],
            resource_id=int(values.get("resource_id") or 0) or False,
            caller_name=values.get("caller_name") or "",
            caller_phone=values.get("caller_number") or "",
            caller_email=values.get("caller_email") or "",
            answers=answers,
            notify_caller=values.get("notify_caller", True),
            source="secretary",
        )
        booking = self.env["resource.booking"].browse(booking_id)
        return {
            "id": booking.id,
            "when": self._slot_label(booking_type, booking.start),
            "resource": booking.callgest_resource_id.name or "",
        }

    @api.model
    def agenda_reschedule(self, ddi_number, booking_id, start, resource_id=False):
        """Move an appointment of the client of ``ddi_number`` to ``start``.

        :return: ``{"id", "when", "resource"}`` of the moved appointment.
        """
        client = self._agenda_client(ddi_number)
        booking = self._agenda_booking(client, booking_id)
        if not start:
            raise UserError(_("Choose a free slot first."))
        booking.callgest_reschedule(start, resource_id=int(resource_id or 0) or False)
        return {
            "id": booking.id,
            "when": self._slot_label(booking.type_id, booking.start),
            "resource": booking.callgest_resource_id.name or "",
        }

    @api.model
    def agenda_cancel(self, ddi_number, booking_id):
        """Cancel an appointment of the client of ``ddi_number``."""
        client = self._agenda_client(ddi_number)
        booking = self._agenda_booking(client, booking_id)
        if booking.state == "canceled":
            raise ValidationError(_("This appointment is already cancelled."))
        booking.action_cancel()
        return True

    @api.model
    def agenda_appointments(self, ddi_number, caller_number=False, caller_email=False):
        """The caller's coming appointments with the client of
        ``ddi_number`` (by number or email), as ``console_data`` gives them."""
        client = self._agenda_client(ddi_number)
        return self._caller_appointments(client, caller_number, caller_email)
