"""The clients' public booking pages: a caller picks a type of appointment
and a free slot, books it, and confirms it from the email he receives."""

from collections import OrderedDict
from datetime import datetime, timedelta
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq, email_normalize
from odoo.tools.misc import format_date

from ..models.resource_booking_type import _utc

DAYS_SHOWN = 14
SLOTS_SHOWN = 400
DEFAULT_MAX_PER_EMAIL = 3
DEFAULT_MAX_PER_IP = 10


class CallgestAgendaBooking(http.Controller):
    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _client(self, token):
        """The client whose booking page ``token`` opens, in his language;
        404 for an unknown or empty token."""
        if not token:
            raise NotFound()
        client = (
            request.env["res.partner"]
            .sudo()
            .search(
                [
                    ("callgest_agenda_token", "=", token),
                    ("is_callgest_client", "=", True),
                ],
                limit=1,
            )
        )
        if not client or not consteq(client.callgest_agenda_token, token):
            raise NotFound()
        lang = client.lang or request.env.lang
        if lang and request.env["res.lang"]._lang_get(lang):
            request.update_context(lang=lang)
        return client.with_context(lang=request.env.lang)

    def _online_types(self, client):
        return (
            request.env["resource.booking.type"]
            .sudo()
            .search(
                [
                    ("callgest_client_id", "=", client.id),
                    ("callgest_online", "=", True),
                ],
                order="name, id",
            )
        )

    def _type(self, client, type_id):
        """The client's online type ``type_id``; 404 for another's."""
        booking_type = (
            request.env["resource.booking.type"].sudo().browse(type_id).exists()
        )
        if (
            not booking_type
            or not booking_type.active
            or not booking_type.callgest_online
            or booking_type.callgest_client_id != client
        ):
            raise NotFound()
        return booking_type

    def _days(self, token, booking_type, slots):
        """``[(day label, [slot, ...]), ...]`` in the client's local days,
        each slot with its time and the address of its booking form."""
        days = OrderedDict()
        for slot in slots:
            day, time = slot["local"].split(" ")
            query = urlencode(
                {"start": slot["start"], "resource_id": slot["resource_id"]}
            )
            url = f"/agenda/{token}/{booking_type.id}/book?{query}"
            days.setdefault(day, []).append(dict(slot, time=time, url=url))
        return [
            (
                format_date(
                    request.env,
                    datetime.strptime(day, "%Y-%m-%d").date(),
                    lang_code=request.env.lang,
                    date_format="EEEE d MMMM y",
                ),
                day_slots,
            )
            for day, day_slots in days.items()
        ]

    def _flood_problem(self, email, ip):
        """Why this caller may not book online now (too many bookings from
        his email or his address in the last 24 hours), or ``None``."""
        Param = request.env["ir.config_parameter"].sudo()
        Booking = request.env["resource.booking"].sudo().with_context(active_test=False)
        since = fields.Datetime.now() - timedelta(hours=24)
        recent = [("callgest_source", "=", "online"), ("create_date", ">=", since)]
        max_email = int(
            Param.get_param(
                "callgest_agenda.online_max_per_email", DEFAULT_MAX_PER_EMAIL
            )
        )
        email = email_normalize(email or "")
        if email and (
            Booking.search_count([*recent, ("callgest_caller_email", "=", email)])
            >= max_email
        ):
            return request.env._(
                "%(email)s has reached the limit of %(count)s online bookings a "
                "day: call us to book more.",
                email=email,
                count=max_email,
            )
        max_ip = int(
            Param.get_param("callgest_agenda.online_max_per_ip", DEFAULT_MAX_PER_IP)
        )
        if ip and (
            Booking.search_count([*recent, ("callgest_booking_ip", "=", ip)]) >= max_ip
        ):
            return request.env._(
                "Too many appointments were booked online from your connection "
                "today: call us to book more."
            )
        return None

    def _booking(self, booking_id, access_token):
        booking = (
            request.env["resource.booking"]
            .sudo()
            .with_context(active_test=False)
            .browse(booking_id)
            .exists()
        )
        if (
            not booking
            or not booking.access_token
            or not access_token
            or not consteq(booking.access_token, access_token)
        ):
            raise NotFound()
        client = booking.callgest_client_id
        if client.lang and request.env["res.lang"]._lang_get(client.lang):
            request.update_context(lang=client.lang)
        return booking.with_context(lang=request.env.lang)

    @staticmethod
    def _tz_name(booking_type):
        return booking_type._callgest_tz().zone

    # ------------------------------------------------------------------
    # Booking pages
    # ------------------------------------------------------------------
    @http.route(
        "/agenda/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def agenda_types(self, token, **kwargs):
        client = self._client(token)
        return request.render(
            "callgest_agenda.online_types",
            {"client": client, "token": token, "types": self._online_types(client)},
        )

    @http.route(
        "/agenda/<string:token>/<int:type_id>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def agenda_slots(self, token, type_id, **kwargs):
        client = self._client(token)
        booking_type = self._type(client, type_id)
        slots = booking_type.callgest_slots_for_display(
            limit=SLOTS_SHOWN, days=DAYS_SHOWN
        )
        return request.render(
            "callgest_agenda.online_slots",
            {
                "client": client,
                "token": token,
                "booking_type": booking_type,
                "days": self._days(token, booking_type, slots),
                "tz_name": self._tz_name(booking_type),
            },
        )

    def _render_form(self, client, token, booking_type, start, resource, **values):
        local = booking_type.env["resource.booking"]._callgest_when(
            booking_type, _utc(fields.Datetime.to_datetime(start))
        )
        return request.render(
            "callgest_agenda.online_form",
            {
                "client": client,
                "token": token,
                "booking_type": booking_type,
                "start": start,
                "resource": resource,
                "local": local,
                "tz_name": self._tz_name(booking_type),
                "questions": booking_type.callgest_question_ids,
                "error": values.get("error"),
                "values": values.get("values") or {},
            },
        )

    def _form_args(self, token, type_id, start, resource_id):
        client = self._client(token)
        booking_type = self._type(client, type_id)
        try:
            start_dt = fields.Datetime.to_datetime(start)
        except ValueError:
            start_dt = None
        if not start_dt:
            raise NotFound()
        resource = request.env["resource.resource"].sudo()
        if resource_id:
            try:
                resource = resource.browse(int(resource_id)).exists()
            except ValueError:
                resource = resource.browse()
            if resource not in booking_type.callgest_resource_ids:
                raise NotFound()
        return client, booking_type, fields.Datetime.to_string(start_dt), resource

    @http.route(
        "/agenda/<string:token>/<int:type_id>/book",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def agenda_form(self, token, type_id, start=None, resource_id=None, **kwargs):
        client, booking_type, start, resource = self._form_args(
            token, type_id, start, resource_id
        )
        return self._render_form(client, token, booking_type, start, resource)

    @http.route(
        "/agenda/<string:token>/<int:type_id>/book",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def agenda_book(self, token, type_id, start=None, resource_id=None, **post):
        client, booking_type, start, resource = self._form_args(
            token, type_id, start, resource_id
        )
        values = {
            key: (post.get(key) or "").strip() for key in ("name", "email", "phone")
        }
        questions = booking_type.callgest_question_ids
        for question in questions:
            key = f"question_{question.id}"
            values[key] = (post.get(key) or "").strip()

        def refuse(error):
            return self._render_form(
                client, token, booking_type, start, resource, error=error, values=values
            )

        env = request.env
        if not values["name"] or not values["email"]:
            return refuse(env._("Give your name and your email address."))
        missing = questions.filtered(
            lambda q: q.required and not values[f"question_{q.id}"]
        )
        if missing:
            return refuse(env._("Please answer: %s", ", ".join(missing.mapped("name"))))
        ip = request.httprequest.remote_addr
        problem = self._flood_problem(values["email"], ip)
        if problem:
            return refuse(problem)
        answers = "\n".join(
            f"{question.name}: {values[f'question_{question.id}']}"
            for question in questions
            if values[f"question_{question.id}"]
        )
        Booking = env["resource.booking"].sudo()
        try:
            with env.cr.savepoint():
                booking_id = Booking.callgest_book(
                    booking_type.id,
                    start,
                    resource_id=resource.id or False,
                    caller_name=values["name"],
                    caller_phone=values["phone"],
                    caller_email=values["email"],
                    answers=answers,
                    notify_caller=True,
                    source="online",
                    booking_ip=ip,
                )
        except ValidationError as error:
            return refuse(error.args[0])
        booking = Booking.browse(booking_id)
        booking._portal_ensure_token()
        template = env.ref("callgest_agenda.mail_template_online_confirm").sudo()
        template.send_mail(booking.id)
        return request.render(
            "callgest_agenda.online_thanks",
            {
                "client": client,
                "token": token,
                "booking": booking,
                "email": booking.callgest_caller_email,
                "tz_name": self._tz_name(booking_type),
            },
        )

    # ------------------------------------------------------------------
    # Confirmation from the email
    # ------------------------------------------------------------------
    @http.route(
        "/agenda/confirm/<int:booking_id>/<string:access_token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def agenda_confirm_page(self, booking_id, access_token, **kwargs):
        booking = self._booking(booking_id, access_token)
        return self._render_confirm(booking, access_token)

    def _render_confirm(self, booking, access_token, done=None, when=None):
        return request.render(
            "callgest_agenda.online_confirm",
            {
                "booking": booking,
                "client": booking.callgest_client_id,
                "access_token": access_token,
                "done": done,
                "when": when or booking.callgest_start_local,
                "tz_name": self._tz_name(booking.type_id),
            },
        )

    @http.route(
        "/agenda/confirm/<int:booking_id>/<string:access_token>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def agenda_confirm(self, booking_id, access_token, answer=None, **kwargs):
        booking = self._booking(booking_id, access_token)
        if answer == "confirm":
            if booking.state != "confirmed":
                booking.action_confirm()
                booking._callgest_notify("confirmed")
            return self._render_confirm(booking, access_token, done="confirmed")
        if answer == "cancel":
            when = booking.callgest_start_local
            booking.action_cancel()
            return self._render_confirm(
                booking, access_token, done="cancelled", when=when
            )
        return self._render_confirm(booking, access_token)
