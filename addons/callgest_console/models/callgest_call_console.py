import pytz

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

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
            [("code", "!=", "incident")], ["code", "name"]
        )
        result["categories"] = [
            {"code": category["code"], "name": category["name"]}
            for category in categories
        ]
        return result

    @api.model
    def _answers_text(self, answers):
        lines = []
        for answer in answers or []:
            label = (answer.get("label") or "").strip()
            value = (answer.get("answer") or "").strip()
            if label and value:
                lines.append(f"{label}: {value}")
        return "\n".join(lines)

    @api.model
    def create_recado(self, values):
        """Create and submit a recado taken in the console.

        :param values: a dict with ``ddi_number``, ``caller_name``,
            ``caller_number``, ``category_code``, ``urgency`` (``normal`` or
            ``urgent``), ``body`` and optionally ``answers``, a list of
            ``{"label": ..., "answer": ...}`` appended to the body.
        :return: ``{"id": ..., "name": ...}`` of the recado.
        """
        self._check_secretary()
        ddi = self.env["callgest.ddi"]._resolve(values.get("ddi_number") or "")
        if not ddi or not ddi.partner_id:
            raise UserError(_("Look up a known DDI before sending a recado."))
        category = self.env["callgest.message.category"]
        if values.get("category_code"):
            category = category.search(
                [
                    ("code", "=", values["category_code"]),
                    ("code", "!=", "incident"),
                ],
                limit=1,
            )
            if not category:
                raise UserError(_("Unknown recado category."))
        body = (values.get("body") or "").strip()
        answers = self._answers_text(values.get("answers"))
        if answers:
            body = f"{body}\n\n{answers}" if body else answers
        vals = {
            "ddi_id": ddi.id,
            "caller_name": values.get("caller_name") or False,
            "caller_number": values.get("caller_number") or False,
            "urgency": "urgent" if values.get("urgency") == "urgent" else "normal",
            "body": body,
        }
        if category:
            vals["category_id"] = category.id
        message = self.env["callgest.message"].create(vals)
        message.action_submit()
        return {"id": message.id, "name": message.name}

    @api.model
    def notify_incoming_call(self, login, ddi_number, caller_number=None):
        """Pop the console of the secretary ``login`` (for the PBX)."""
        user = self.env.user
        if not (
            user.has_group("callgest_protocols.group_callgest_pbx")
            or user.has_group("callgest_base.group_callgest_supervisor")
        ):
            raise AccessError(
                _("Only the PBX and supervisors may announce incoming calls.")
            )
        target = self.env["res.users"].sudo().search([("login", "=", login)], limit=1)
        if not target:
            raise UserError(_("No user with the login %(login)s.", login=login))
        self.env["bus.bus"]._sendone(
            target.partner_id,
            "callgest_console/incoming_call",
            {"ddi_number": ddi_number, "caller_number": caller_number or ""},
        )
        return True
