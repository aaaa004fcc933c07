import secrets
from datetime import timedelta

import vobject

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .resource_booking_type import _utc

ICS_STATUS = {"confirmed": "CONFIRMED", "canceled": "CANCELLED"}


class ResourceResource(models.Model):
    """A professional of a client (a dentist, a lawyer...) as a bookable
    resource: his working hours are ``calendar_id``, his absences are its
    leaves for him, and one combination of his own lets resource_booking
    book him."""

    _inherit = "resource.resource"

    callgest_client_id = fields.Many2one(
        "res.partner",
        string="Client",
        index="btree_not_null",
        domain=[("is_callgest_client", "=", True)],
        help="The client whose agenda this professional belongs to.",
    )
    callgest_partner_id = fields.Many2one(
        "res.partner",
        string="Professional contact",
        help="The professional's contact (a professional of a collective or the "
        "client's own staff).",
    )
    callgest_combination_id = fields.Many2one(
        "resource.booking.combination",
        string="Booking combination",
        readonly=True,
        copy=False,
        help="The combination of this professional alone, through which "
        "resource_booking books him.",
    )
    callgest_ics_token = fields.Char(
        string="Calendar feed token",
        copy=False,
        groups="callgest_base.group_callgest_supervisor",
    )

    callgest_ics_url = fields.Char(
        string="Calendar feed address",
        compute="_compute_callgest_ics_url",
        groups="callgest_base.group_callgest_supervisor",
        help="The professional subscribes his calendar (Google, Outlook, "
        "phone) to this private address.",
    )

    @api.depends("callgest_ics_token")
    def _compute_callgest_ics_url(self):
        for resource in self:
            resource.callgest_ics_url = (
                f"{resource.get_base_url()}/agenda/feed/{resource.callgest_ics_token}.ics"
                if resource.callgest_ics_token
                else False
            )

    @api.constrains("callgest_client_id", "callgest_partner_id")
    def _check_callgest_professional(self):
        for resource in self.filtered("callgest_partner_id"):
            client = resource.callgest_client_id
            if not client:
                raise ValidationError(
                    _("Choose the client of the professional %s.", resource.name)
                )
            if resource.callgest_partner_id.commercial_partner_id != client:
                raise ValidationError(
                    _(
                        "%(professional)s is not a contact of %(client)s.",
                        professional=resource.callgest_partner_id.display_name,
                        client=client.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        resources = super().create(vals_list)
        resources.filtered("callgest_client_id")._callgest_ensure_combination()
        return resources

    def write(self, vals):
        result = super().write(vals)
        if vals.get("callgest_client_id"):
            self._callgest_ensure_combination()
        return result

    def _callgest_ensure_combination(self):
        Combination = self.env["resource.booking.combination"].sudo()
        for resource in self.filtered(lambda r: not r.callgest_combination_id):
            resource.sudo().callgest_combination_id = Combination.create(
                {"resource_ids": [fields.Command.set(resource.ids)]}
            )

    def action_callgest_new_ics_token(self):
        """A new private feed address; the old one stops working at once."""
        for resource in self:
            resource.sudo().callgest_ics_token = secrets.token_urlsafe(24)
        return True

    def action_callgest_revoke_ics_token(self):
        self.sudo().callgest_ics_token = False
        return True

    def _callgest_ics_feed(self):
        """This professional's appointments as iCalendar text: from 30 days
        ago to the furthest horizon of his types. A cancelled one loses its
        times (resource_booking unschedules it), so it leaves the feed and
        subscribed calendars drop its UID."""
        self.ensure_one()
        now = fields.Datetime.now()
        types = (
            self.env["resource.booking.type"]
            .sudo()
            .search([("callgest_client_id", "=", self.callgest_client_id.id)])
        )
        horizon = max(types.mapped("callgest_horizon_days") or [60])
        bookings = (
            self.env["resource.booking"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("callgest_resource_id", "=", self.id),
                    ("start", ">=", now - timedelta(days=30)),
                    ("start", "<=", now + timedelta(days=horizon + 1)),
                ],
                order="start asc, id asc",
            )
        )
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        cal = vobject.iCalendar()
        cal.add("prodid").value = "-//CallGest//Agenda//EN"
        cal.add("x-wr-calname").value = self.name
        stamp = _utc(now)
        for booking in bookings:
            event = cal.add("vevent")
            event.add("uid").value = f"callgest-booking-{booking.id}-{uuid}"
            event.add("dtstamp").value = stamp
            event.add("dtstart").value = _utc(booking.start)
            event.add("dtend").value = _utc(booking.stop)
            event.add("summary").value = " - ".join(
                filter(None, [booking.type_id.name, booking.callgest_caller_name])
            )
            if booking.location:
                event.add("location").value = booking.location
            event.add("status").value = (
                "CANCELLED"
                if not booking.active or booking.state == "canceled"
                else ICS_STATUS.get(booking.state, "TENTATIVE")
            )
            details = [
                booking.callgest_caller_phone,
                booking.callgest_caller_email,
                booking.callgest_answers,
            ]
            if any(details):
                event.add("description").value = "\n".join(filter(None, details))
        return cal.serialize()
