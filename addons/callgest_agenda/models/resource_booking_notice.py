"""What the caller and the client are told about an appointment: the emails
(with an .ics invitation) of a booking, a change, a confirmation or a
cancellation, and the reminders before it."""

import logging
from datetime import datetime
from urllib.parse import quote_plus

import pytz
import vobject
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.callgest_message.tools.providers import DeliveryError

from .resource_booking_type import _utc

_logger = logging.getLogger(__name__)

NOTICE_EVENTS = ("booked", "confirmed", "changed", "cancelled")
MAP_URL = "https://www.openstreetmap.org/search?query="


# the notices of resource.booking, kept apart from its booking logic
class ResourceBooking(models.Model):
    _inherit = "resource.booking"  # pylint: disable=consider-merging-classes-inherited

    callgest_sequence = fields.Integer(
        string="Calendar sequence",
        readonly=True,
        copy=False,
        help="The SEQUENCE of this appointment's calendar invitations: one "
        "more at each change or cancellation.",
    )
    callgest_reminded_at = fields.Datetime(
        string="Reminder sent",
        readonly=True,
        copy=False,
        help="When the caller was reminded of this appointment.",
    )
    callgest_place = fields.Char(
        string="Where", compute="_compute_callgest_place", help="The address."
    )
    callgest_map_url = fields.Char(string="Map", compute="_compute_callgest_place")

    @api.depends("location", "type_id.callgest_client_id")
    def _compute_callgest_place(self):
        for booking in self:
            client = booking.callgest_client_id
            place = booking.location or ", ".join(
                filter(
                    None,
                    [
                        client.street,
                        client.street2,
                        " ".join(filter(None, [client.zip, client.city])),
                        client.country_id.name,
                    ],
                )
            )
            booking.callgest_place = place
            booking.callgest_map_url = MAP_URL + quote_plus(place) if place else False

    def _sync_meeting(self):
        """The meetings of CallGest appointments send Odoo's own calendar
        invitations to nobody: the caller gets ours (_callgest_notify)."""
        ours = self.filtered("callgest_client_id")
        if ours:
            super(
                ResourceBooking, ours.with_context(no_mail_to_attendees=True)
            )._sync_meeting()
        return super(ResourceBooking, self - ours)._sync_meeting()

    # ------------------------------------------------------------------
    # Notices
    # ------------------------------------------------------------------
    def _callgest_notify(self, event, times=None):
        """Tell the caller (an email with an .ics invitation, billed to the
        client) and the client's recipients (callgest_message's reports).

        :param times: ``{booking id: (start, stop)}`` for bookings that no
            longer have them (cancelled: resource_booking clears them)
        """
        result = super()._callgest_notify(event, times=times)
        # the demo's appointments tell nobody (no reports queued at install)
        if event not in NOTICE_EVENTS or self.env.context.get(
            "callgest_agenda_no_notice"
        ):
            return result
        times = times or {}
        if event in ("changed", "cancelled") and self:
            self.flush_recordset()
            # a moved appointment is reminded again, at its new time
            self.env.cr.execute(
                SQL(
                    """UPDATE resource_booking
                          SET callgest_sequence = COALESCE(callgest_sequence, 0) + 1,
                              callgest_reminded_at = CASE WHEN %s THEN NULL
                                                     ELSE callgest_reminded_at END
                        WHERE id IN %s""",
                    event == "changed",
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(["callgest_sequence", "callgest_reminded_at"])
        for booking in self.sudo():
            start, stop = times.get(booking.id) or (booking.start, booking.stop)
            if not start or not stop:
                continue
            if event == "booked" and booking.state != "confirmed":
                continue  # an online booking: the caller confirms it first
            booking._callgest_notify_caller(event, start, stop)
            booking._callgest_notify_recipients(event, start, stop)
        return result

    def _callgest_lang(self):
        return self.callgest_client_id.lang or self.env.lang or "en_US"

    def _callgest_ics_uid(self):
        """The same UID as in the professional's feed (resource_resource)."""
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"callgest-booking-{self.id}-{dbuuid}"

    def _callgest_ics(self, event, start, stop):
        """The invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)
        of this appointment, as bytes: one UID per booking, its SEQUENCE."""
        self.ensure_one()
        cancelled = event == "cancelled"
        calendar = vobject.iCalendar()
        calendar.add("prodid").value = "-//CallGest//Agenda//EN"
        calendar.add("method").value = "CANCEL" if cancelled else "REQUEST"
        vevent = calendar.add("vevent")
        vevent.add("uid").value = self._callgest_ics_uid()
        vevent.add("dtstamp").value = datetime.now(pytz.utc).replace(microsecond=0)
        vevent.add("dtstart").value = _utc(start)
        vevent.add("dtend").value = _utc(stop)
        vevent.add("sequence").value = str(self.callgest_sequence or 0)
        vevent.add("status").value = "CANCELLED" if cancelled else "CONFIRMED"
        vevent.add("summary").value = " - ".join(
            filter(None, [self.type_id.name, self.callgest_resource_id.name])
        )
        if self.callgest_place:
            vevent.add("location").value = self.callgest_place
        company = self.callgest_client_id.company_id or self.env.company
        if company.email:
            organizer = vevent.add("organizer")
            organizer.value = f"mailto:{company.email}"
            organizer.params["CN"] = [self.callgest_client_id.name or company.name]
        if self.callgest_caller_email:
            attendee = vevent.add("attendee")
            attendee.value = f"mailto:{self.callgest_caller_email}"
            attendee.params["CN"] = [self.callgest_caller_name or ""]
            attendee.params["ROLE"] = ["REQ-PARTICIPANT"]
        return calendar.serialize().encode()

    def _callgest_notice_subject(self, event, when):
        _ = self.env._
        what = self.type_id.name
        if event == "cancelled":
            return _("Appointment cancelled: %(what)s, %(when)s", what=what, when=when)
        if event == "changed":
            return _("Appointment changed: %(what)s, %(when)s", what=what, when=when)
        return _("Appointment confirmed: %(what)s, %(when)s", what=what, when=when)

    def _callgest_bill(self, channel):
        client = self.callgest_client_id
        return (
            self.env["callgest.billable.event"]
            .sudo()
            .create(
                {
                    "partner_id": client.id,
                    "company_id": (client.company_id or self.env.company).id,
                    "event_type": "message_auto",
                    "channel": channel,
                }
            )
        )

    def _callgest_send_template(self, template, context, attachments=()):
        """Queue ``template`` for this booking to the caller; the mail."""
        mail_id = (
            template.sudo()
            .with_context(**context)
            .send_mail(
                self.id,
                force_send=False,
                email_values={
                    "email_to": self.callgest_caller_email,
                    "recipient_ids": [],
                    "attachment_ids": [
                        fields.Command.link(attachment.id) for attachment in attachments
                    ],
                },
            )
        )
        return self.env["mail.mail"].sudo().browse(mail_id)

    def _callgest_notify_caller(self, event, start, stop):
        """One email to the caller, with the invitation; billed."""
        self.ensure_one()
        if not self.callgest_notify_caller or not self.callgest_caller_email:
            return self.env["mail.mail"]
        lang = self._callgest_lang()
        booking = self.with_context(lang=lang)
        when = booking._callgest_format_local(start)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": "cancel.ics" if event == "cancelled" else "invite.ics",
                    "raw": self._callgest_ics(event, start, stop),
                    "mimetype": "text/calendar",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        mail = self._callgest_send_template(
            self.env.ref("callgest_agenda.mail_template_booking_notice"),
            {
                "callgest_event": event,
                "callgest_when": when,
                "callgest_subject": booking._callgest_notice_subject(event, when),
            },
            attachments=attachment,
        )
        self._callgest_bill("email")
        return mail

    def _callgest_notify_recipients(self, event, start, stop):
        """The client's recipients, through callgest_message (which bills them)."""
        self.ensure_one()
        client = self.callgest_client_id
        if not client:
            return self.env["callgest.delivery"]
        booking = self.with_context(lang=self._callgest_lang())
        _ = booking.env._
        when = booking._callgest_format_local(start)
        titles = {
            "booked": _("Appointment booked"),
            "confirmed": _("Appointment confirmed"),
            "changed": _("Appointment changed"),
            "cancelled": _("Appointment cancelled"),
        }
        caller = " ".join(
            filter(None, [self.callgest_caller_name, self.callgest_caller_phone])
        )
        subject = _(
            "%(title)s: %(caller)s, %(when)s (%(what)s)",
            title=titles[event],
            caller=self.callgest_caller_name or "",
            when=when,
            what=self.type_id.name,
        )
        rows = [
            (_("Appointment"), self.type_id.name),
            (_("When"), when),
            (_("Professional"), self.callgest_resource_id.name),
            (_("Caller"), caller),
            (_("Email"), self.callgest_caller_email),
            (_("Where"), self.callgest_place),
        ]
        color = "#b00020" if event == "cancelled" else "#1b7a34"
        body = Markup('<p style="color: {}"><strong>{}</strong></p>').format(
            color, titles[event]
        ) + Markup("<table>{}</table>").format(
            Markup("").join(
                Markup(
                    '<tr><td style="padding: 2px 8px;"><b>{}</b></td><td>{}</td></tr>'
                ).format(label, value)
                for label, value in rows
                if value
            )
        )
        return self.env["callgest.delivery"]._enqueue_report(
            client, "appointment", subject, str(escape(body))
        )

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------
    @api.model
    def _cron_callgest_send_reminders(self, limit=500):
        """Remind the callers of their confirmed appointments, each once:
        the bookings are claimed by one UPDATE (a second cron finds them
        claimed); a reminder that could not be sent is released for the
        next run."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE resource_booking
                   SET callgest_reminded_at = now() AT TIME ZONE 'UTC'
                 WHERE id IN (
                        SELECT b.id
                          FROM resource_booking b
                          JOIN resource_booking_type t ON t.id = b.type_id
                         WHERE b.active
                           AND b.state = 'confirmed'
                           AND b.callgest_notify_caller
                           AND b.callgest_reminded_at IS NULL
                           AND COALESCE(t.callgest_reminder_hours, 0) > 0
                           AND b.start > %(now)s
                           AND b.start - make_interval(
                                 secs => t.callgest_reminder_hours * 3600
                               ) <= %(now)s
                           AND CASE t.callgest_reminder_channel
                                 WHEN 'sms' THEN b.callgest_caller_phone
                                 ELSE b.callgest_caller_email
                               END IS NOT NULL
                      ORDER BY b.start
                         LIMIT %(limit)s)
                   AND callgest_reminded_at IS NULL
             RETURNING id
                """,
                now=fields.Datetime.now(),
                limit=limit,
            )
        )
        claimed = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        claimed.invalidate_recordset(["callgest_reminded_at"])
        sent = self.browse()
        for booking in claimed:
            if booking._callgest_send_reminder():
                sent |= booking
            else:
                self.env.cr.execute(
                    SQL(
                        "UPDATE resource_booking SET callgest_reminded_at = NULL"
                        " WHERE id = %s",
                        booking.id,
                    )
                )
                booking.invalidate_recordset(["callgest_reminded_at"])
        return sent

    def _callgest_send_reminder(self):
        """Send this booking's reminder; whether it went out (billed)."""
        self.ensure_one()
        channel = self.type_id.callgest_reminder_channel or "email"
        booking = self.with_context(lang=self._callgest_lang())
        when = booking._callgest_format_local(self.start)
        try:
            if channel == "sms":
                booking._callgest_send_reminder_sms(when)
            else:
                self._callgest_send_template(
                    self.env.ref("callgest_agenda.mail_template_booking_reminder"),
                    {
                        "callgest_when": when,
                        "callgest_subject": booking.env._(
                            "Reminder: %(what)s, %(when)s",
                            what=self.type_id.name,
                            when=when,
                        ),
                    },
                )
        except DeliveryError as error:
            _logger.warning(
                "Reminder of appointment %s not sent (%s): tried again at the next run",
                self.id,
                error,
            )
            return False
        self._callgest_bill(channel)
        return True

    def _callgest_send_reminder_sms(self, when):
        text = self.env._(
            "Reminder: %(what)s with %(professional)s on %(when)s at %(place)s "
            "(%(client)s).",
            what=self.type_id.name,
            professional=self.callgest_resource_id.name or "",
            when=when,
            place=self.callgest_place or "",
            client=self.callgest_client_id.name or "",
        )
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return (
            self.env["callgest.delivery"]
            ._sms_gateway()
            .send(
                (self.callgest_caller_phone or "").replace(" ", ""),
                text,
                idempotency_key=f"callgest-reminder-{self.id}-{self.start}-{dbuuid}",
            )
        )
