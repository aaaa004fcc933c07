import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize, plaintext2html

from odoo.addons.callgest_base.tools.phone_validation import parse_number

HISTORY_LIMIT = 5
EXCERPT_LENGTH = 120


class CallgestCallConsole(models.AbstractModel):
    """The secretary's call console: screen pop, caller history and recados."""

    _name = "callgest.call.console"
    _description = "CallGest call console"

    @api.model
    def _check_secretary(self):
        if not self.env.user.has_group("callgest_base.group_callgest_secretary"):
            raise AccessError(_("Only secretaries may use the call console."))

    @api.model
    def _excerpt(self, text):
        text = " ".join((text or "").split())
        if len(text) > EXCERPT_LENGTH:
            text = text[: EXCERPT_LENGTH - 1] + "…"
        return text

    @api.model
    def _local_date(self, value, tz_name):
        local = pytz.utc.localize(value).astimezone(pytz.timezone(tz_name))
        return f"{local:%d/%m/%Y %H:%M}"

    @api.model
    def _caller_history(self, partner_id, caller_number, tz_name):
        """The last recados and incidencias of a caller for a client."""
        if not partner_id or not caller_number:
            return []
        domain = [
            ("partner_id", "=", partner_id),
            ("caller_number_search", "ilike", caller_number),
        ]
        history = []
        message_states = dict(
            self.env["callgest.message"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        for message in self.env["callgest.message"].search(domain, limit=HISTORY_LIMIT):
            history.append(
                {
                    "kind": "message",
                    "id": message.id,
                    "name": message.name,
                    "taken_at": message.taken_at,
                    "date": self._local_date(message.taken_at, tz_name),
                    "category": message.category_id.name or "",
                    "state": message_states.get(message.state, message.state),
                    "excerpt": self._excerpt(message.body),
                }
            )
        Incident = self.env["callgest.incident"]
        incident_states = dict(
            Incident._fields["state"]._description_selection(self.env)
        )
        for incident in Incident.search(domain, limit=HISTORY_LIMIT):
            history.append(
                {
                    "kind": "incident",
                    "id": incident.id,
                    "name": incident.name,
                    "taken_at": incident.taken_at,
                    "date": self._local_date(incident.taken_at, tz_name),
                    "category": incident.type_id.name or _("Incidencia"),
                    "state": incident_states.get(incident.state, incident.state),
                    "excerpt": self._excerpt(incident.description),
                }
            )
        history.sort(key=lambda item: (item["taken_at"], item["id"]), reverse=True)
        for item in history:
            del item["taken_at"]
        return history

    @api.model
    def console_data(self, ddi_number, caller_number=None, when=None):
        """The protocol lookup of a call plus the caller's history."""
        self._check_secretary()
        result = self.env["callgest.protocol"].lookup(ddi_number, caller_number, when)
        result["history"] = self._caller_history(
            result["client_id"], caller_number, result["timezone"] or "UTC"
        )
        categories = self.env["callgest.message.category"].search_read(
            [("code", "not in", ("incident", "report"))], ["code", "name"]
        )
        result["categories"] = [
            {"code": category["code"], "name": category["name"]}
            for category in categories
        ]
        if result["client"]:
            version = self._active_version(result["protocol_id"])
            result["snippets"] = [
                {"id": snippet.id, "name": snippet.name, "body": snippet.body or ""}
                for snippet in version.snippet_ids
            ]
        return result

    @api.model
    def _answers_text(self, answers):
        lines = []
        for answer in answers or []:
            label = (answer.get("label") or "").strip()
            value = str(answer.get("answer") or "").strip()
            if label and value:
                lines.append(f"{label}: {value}")
        return "\n".join(lines)

    @api.model
    def _check_answer(self, question, value, country_code):
        """``value`` as stored for ``question``, or a UserError."""
        if question.field_type == "phone":
            try:
                return parse_number(value, country_code).e164
            except UserError as error:
                raise UserError(
                    _(
                        "%(label)s: %(value)s is not a valid telephone number. "
                        "%(reason)s",
                        label=question.label,
                        value=value,
                        reason=error.args[0],
                    )
                ) from error
        if question.field_type == "email" and not email_normalize(value):
            raise UserError(
                _(
                    "%(label)s: %(value)s is not a valid email address.",
                    label=question.label,
                    value=value,
                )
            )
        if question.field_type == "date":
            try:
                fields.Date.to_date(value)
            except ValueError as error:
                raise UserError(
                    _(
                        "%(label)s: %(value)s is not a valid date (YYYY-MM-DD).",
                        label=question.label,
                        value=value,
                    )
                ) from error
        if question.field_type == "selection" and value not in question._options():
            raise UserError(
                _(
                    "%(label)s: %(value)s is not one of the options (%(options)s).",
                    label=question.label,
                    value=value,
                    options=", ".join(question._options()),
                )
            )
        return value

    @api.model
    def _call_type_answers(self, call_type, answers, ddi):
        """Check ``answers`` against the questions of ``call_type``.

        :param answers: a list of ``{"question_id": ..., "answer": ...}``
            (or ``{"label": ..., "answer": ...}``).
        :return: the answers, as ``[{"label": ..., "answer": ...}]`` in the
            order of the questions.
        :raise UserError: when a required question is not answered or an
            answer does not fit its question.
        """
        by_id, by_label = {}, {}
        for answer in answers or []:
            value = str(answer.get("answer") or "").strip()
            if answer.get("question_id"):
                by_id[answer["question_id"]] = value
            elif answer.get("label"):
                by_label[answer["label"].strip()] = value
        country_code = (
            ddi.partner_id.country_id.code or self.env.company.country_id.code
        )
        checked, missing = [], []
        for question in call_type.question_ids:
            value = by_id.get(question.id, by_label.get(question.label, ""))
            if not value:
                if question.required:
                    missing.append(question.label)
                continue
            value = self._check_answer(question, value, country_code)
            checked.append({"label": question.label, "answer": value})
        if missing:
            raise UserError(
                _(
                    "Answer the required questions of %(call_type)s: %(labels)s.",
                    call_type=call_type.name,
                    labels=", ".join(missing),
                )
            )
        return checked

    @api.model
    def _console_call(self, values, call_type_action):
        """The DDI, call type and checked answers of a call taken in the console.

        Shared by :meth:`create_recado` and :meth:`create_incident`.

        :param call_type_action: the ``action`` the call type must have
            (``incident`` for an incidencia), or ``None`` for any (a recado
            may be taken for any call type, as before).
        :return: ``(ddi, call_type, answers)``, ``answers`` being the checked
            ``[{"label": ..., "answer": ...}]`` with a call type, or the raw
            answers of ``values`` without one.
        :raise UserError: for an unknown DDI, a call type of another client
            or of another action, or answers that do not fit its questions.
        """
        self._check_secretary()
        ddi = self.env["callgest.ddi"]._resolve(values.get("ddi_number") or "")
        if not ddi or not ddi.partner_id:
            raise UserError(_("Look up a known DDI before taking the call."))
        answers = values.get("answers")
        call_type = self.env["callgest.protocol.call.type"]
        if values.get("call_type_id"):
            call_type = call_type.browse(int(values["call_type_id"]))
            if (
                not call_type.exists()
                or call_type.version_id.partner_id != ddi.partner_id
            ):
                raise UserError(_("This call type is not in the client's protocol."))
            if call_type_action and call_type.action != call_type_action:
                raise UserError(
                    _(
                        "The call type %(call_type)s does not fit this kind of call.",
                        call_type=call_type.name,
                    )
                )
            answers = self._call_type_answers(call_type, answers, ddi)
        return ddi, call_type, answers

    @api.model
    def _text_with_answers(self, text, answers_text):
        text = (text or "").strip()
        if answers_text:
            return f"{text}\n\n{answers_text}" if text else answers_text
        return text

    @api.model
    def create_recado(self, values):
        """Create and submit a recado taken in the console.

        :param values: a dict with ``ddi_number``, ``caller_name``,
            ``caller_number``, ``category_code``, ``urgency`` (``normal`` or
            ``urgent``), ``body``, optionally ``call_type_id`` (a call type of
            the client's protocol) and ``answers``, a list of
            ``{"question_id": ..., "answer": ...}`` (or ``{"label": ...,
            "answer": ...}``), stored on the recado and appended to the body.
            With a call type the answers are checked against its questions
            and its recado category, if any, is used.
        :return: ``{"id": ..., "name": ...}`` of the recado.
        """
        ddi, call_type, answers = self._console_call(values, None)
        category_code = call_type.message_category_code or values.get("category_code")
        category = self.env["callgest.message.category"]
        if category_code:
            category = category.search(
                [
                    ("code", "=", category_code),
                    ("code", "not in", ("incident", "report")),
                ],
                limit=1,
            )
            if not category:
                raise UserError(_("Unknown recado category."))
        answers = self._answers_text(answers)
        vals = {
            "ddi_id": ddi.id,
            "caller_name": values.get("caller_name") or False,
            "caller_number": values.get("caller_number") or False,
            "urgency": "urgent" if values.get("urgency") == "urgent" else "normal",
            "body": self._text_with_answers(values.get("body"), answers),
            "callgest_answers": answers or False,
        }
        if category:
            vals["category_id"] = category.id
        message = self.env["callgest.message"].create(vals)
        message.action_submit()
        return {"id": message.id, "name": message.name}

    @api.model
    def create_incident(self, values):
        """Open an incidencia for a call taken in the console.

        :param values: a dict with ``ddi_number``, ``caller_name``,
            ``caller_number``, ``description`` (the free text), optionally
            ``call_type_id`` (a call type of the client's protocol whose
            action is ``incident``) and ``answers``, checked as for
            :meth:`create_recado`, stored on the incidencia and appended to
            its description.
        :return: ``{"id": ..., "name": ...}`` of the incidencia; its
            deliveries are queued on creation.
        """
        ddi, _call_type, answers = self._console_call(values, "incident")
        answers = self._answers_text(answers)
        description = self._text_with_answers(values.get("description"), answers)
        if not description:
            raise UserError(_("Describe the incidencia first."))
        incident = self.env["callgest.incident"].create(
            {
                "ddi_id": ddi.id,
                "caller_name": values.get("caller_name") or False,
                "caller_number": values.get("caller_number") or False,
                "description": description,
                "callgest_answers": answers or False,
            }
        )
        return {"id": incident.id, "name": incident.name}

    @api.model
    def _active_version(self, protocol_id):
        return self.env["callgest.protocol.version"].search(
            [("protocol_id", "=", protocol_id or False), ("state", "=", "active")],
            limit=1,
        )

    @api.model
    def send_snippet(self, snippet_id, ddi_number, email):
        """Queue an email with a snippet of the client's protocol to a caller.

        :param snippet_id: a snippet of the active version of the protocol
            ``ddi_number`` looks up.
        :param email: the caller's address.
        :return: the id of the queued ``mail.mail`` (sent by the mail queue).
        """
        self._check_secretary()
        lookup = self.env["callgest.protocol"].lookup(ddi_number or "")
        version = self._active_version(lookup["protocol_id"])
        snippet = self.env["callgest.protocol.snippet"].browse(int(snippet_id or 0))
        if not version or not snippet.exists() or snippet.version_id != version:
            raise UserError(_("This snippet is not in the client's protocol."))
        email_to = email_normalize(email or "")
        if not email_to:
            raise UserError(
                _("%(email)s is not a valid email address.", email=email or "")
            )
        company = self.env.company
        if not company.email:
            raise UserError(
                _("Set an email address on %(company)s first.", company=company.name)
            )
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": f"{snippet.name} - {lookup['client']}",
                    "body_html": plaintext2html(snippet.body or ""),
                    "email_from": company.email_formatted,
                    "email_to": email_to,
                }
            )
        )
        return mail.id

    @api.model
    def notify_incoming_call(self, login, ddi_number, caller_number=None):
        """Pop the console of the secretary ``login`` (for the PBX).

        The same as ``callgest.protocol.lookup(..., agent_login=login)``
        without the lookup.
        """
        self.env["callgest.protocol"]._notify_agent(login, ddi_number, caller_number)
        return True
