from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, html2plaintext

from ..tools import routing
from .callgest_protocol_question import split_options

VERSION_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("archived", "Archived"),
]

OUT_OF_HOURS_BEHAVIOURS = [
    ("robot_message", "Recorded message"),
    ("voicemail_email", "Voicemail sent by email"),
    ("on_call_cascade", "Transfer to the person on call"),
]


class CallgestProtocolVersion(models.Model):
    """One version of a protocol: drafts are edited, one is active."""

    _name = "callgest.protocol.version"
    _description = "CallGest protocol version"
    _inherit = ["mail.thread"]
    _order = "protocol_id, version desc"
    _rec_names_search = ["protocol_id"]
    # What the screen pop reads of a version, in one query.
    _LOOKUP_FIELDS = [
        "version",
        "greeting",
        "languages",
        "instructions",
        "out_of_hours_behaviour",
        "out_of_hours_message",
        "voicemail_email",
        "max_transfer_seconds",
    ]

    protocol_id = fields.Many2one(
        "callgest.protocol",
        required=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="protocol_id.partner_id", store=True)
    company_id = fields.Many2one(
        related="protocol_id.company_id", store=True, index=True
    )
    version = fields.Integer(readonly=True, copy=False, default=0)
    state = fields.Selection(
        VERSION_STATES,
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    greeting = fields.Text(
        default="{greeting}, {client}, le atiende {secretary}. ¿En qué puedo ayudarle?",
        help="Said when answering. {greeting} becomes good morning, afternoon "
        "or evening in the client's language, {client} the client's name and "
        "{secretary} the secretary's first name.",
    )
    languages = fields.Char(help="Languages to answer in, e.g. es, en")
    instructions = fields.Html()
    out_of_hours_behaviour = fields.Selection(
        OUT_OF_HOURS_BEHAVIOURS,
        string="Out of hours",
        default="robot_message",
        required=True,
        tracking=True,
    )
    out_of_hours_message = fields.Text()
    voicemail_email = fields.Char()
    max_transfer_seconds = fields.Integer(
        string="Maximum transfer time (s)",
        default=routing.DEFAULT_MAX_TRANSFER_SECONDS,
        required=True,
    )
    transfer_target_ids = fields.One2many(
        "callgest.protocol.transfer.target",
        "version_id",
        string="Transfer cascade",
        copy=True,
    )
    caller_entry_ids = fields.One2many(
        "callgest.protocol.caller.entry",
        "version_id",
        string="Caller lists",
        copy=True,
    )
    on_call_shift_ids = fields.One2many(
        "callgest.protocol.on.call.shift",
        "version_id",
        string="On-call shifts",
        copy=True,
    )
    call_type_ids = fields.One2many(
        "callgest.protocol.call.type",
        "version_id",
        string="Call types",
        copy=True,
    )
    snippet_ids = fields.One2many(
        "callgest.protocol.snippet",
        "version_id",
        string="Snippets",
        copy=True,
    )
    approved_by_id = fields.Many2one(
        "res.users", string="Approved by", readonly=True, copy=False, tracking=True
    )
    approved_at = fields.Datetime(readonly=True, copy=False)
    change_summary = fields.Text(copy=False, tracking=True)

    def init(self):
        # Exactly one active version per protocol, enforced by PostgreSQL.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS "
                "callgest_protocol_version_one_active "
                "ON callgest_protocol_version (protocol_id) WHERE state = 'active'"
            )
        )

    @api.depends("protocol_id.name", "version", "state")
    def _compute_display_name(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for version in self:
            version.display_name = _(
                "%(protocol)s v%(version)s (%(state)s)",
                protocol=version.protocol_id.name or "",
                version=version.version,
                state=states.get(version.state, ""),
            )

    def _country(self, partner=None):
        """The country used to read national numbers of this client.

        :param partner: the version's client when the caller has it already
            (the screen pop), to save reading it again.
        """
        partner = partner or self.partner_id
        return partner.country_id or self.env.company.country_id

    @api.constrains("max_transfer_seconds")
    def _check_max_transfer_seconds(self):
        for version in self:
            if version.max_transfer_seconds <= 0:
                raise ValidationError(
                    _("The maximum transfer time must be a positive number of seconds.")
                )

    def _check_one_active(self, protocol_ids):
        """Refuse a second active version before the database does."""
        if len(protocol_ids) != len(set(protocol_ids)):
            raise ValidationError(
                _("A protocol can have only one active version: approve one at a time.")
            )
        other = self.sudo().search(
            [
                ("protocol_id", "in", protocol_ids),
                ("state", "=", "active"),
                ("id", "not in", self.ids),
            ],
            limit=1,
        )
        if other:
            raise ValidationError(
                _(
                    "%(protocol)s already has an active version (v%(version)s): "
                    "a protocol can have only one. Approve the new version to "
                    "replace it.",
                    protocol=other.protocol_id.name,
                    version=other.version,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        next_numbers = {}
        active_protocols = []
        for vals in vals_list:
            protocol_id = vals.get("protocol_id")
            if protocol_id not in next_numbers:
                last = self.sudo().search(
                    [("protocol_id", "=", protocol_id)], order="version desc", limit=1
                )
                next_numbers[protocol_id] = last.version + 1
            vals["version"] = next_numbers[protocol_id]
            next_numbers[protocol_id] += 1
            if vals.get("state") == "active":
                active_protocols.append(protocol_id)
        if active_protocols:
            self._check_one_active(active_protocols)
        return super().create(vals_list)

    # What a secretary reads from a version: changed only through a new draft.
    # On-call shifts are the rota, maintained on the active version itself.
    _CONTENT_FIELDS = frozenset(
        {
            "greeting",
            "languages",
            "instructions",
            "out_of_hours_behaviour",
            "out_of_hours_message",
            "voicemail_email",
            "max_transfer_seconds",
            "transfer_target_ids",
            "caller_entry_ids",
            "call_type_ids",
            "snippet_ids",
        }
    )

    def write(self, vals):
        self.check_access("write")
        frozen = self.filtered(lambda version: version.state != "draft")
        if frozen and self._CONTENT_FIELDS.intersection(vals):
            raise UserError(
                _(
                    "%(name)s is not a draft: create a new draft to change it, "
                    "then have a supervisor approve it.",
                    name=frozen[0].display_name,
                )
            )
        if vals.get("state") == "active":
            self._check_one_active([version.protocol_id.id for version in self])
        return super().write(vals)

    def action_approve(self):
        """Make this draft the active version; the previous one is archived."""
        if not self.env.user.has_group("callgest_base.group_callgest_supervisor"):
            raise AccessError(_("Only CallGest supervisors can approve a protocol."))
        for version in self:
            if version.state != "draft":
                raise UserError(
                    _(
                        "Only a draft can be approved (%(name)s).",
                        name=version.display_name,
                    )
                )
            if not (version.change_summary or "").strip():
                raise UserError(
                    _(
                        "Write a summary of the changes before approving %(name)s.",
                        name=version.display_name,
                    )
                )
            previous = version.protocol_id.version_ids.filtered(
                lambda v: v.state == "active"
            )
            if previous:
                previous.write({"state": "archived"})
                previous.flush_recordset(["state"])
            version.write(
                {
                    "state": "active",
                    "approved_by_id": self.env.user.id,
                    "approved_at": fields.Datetime.now(),
                }
            )
        return True

    def action_new_draft(self):
        self.ensure_one()
        return self.protocol_id.action_new_draft()

    # ------------------------------------------------------------------
    # Screen pop
    # ------------------------------------------------------------------
    @api.model
    def _call_types_of_rows(self, rows):
        """The screen pop's call types from rows (dicts) of a call type and
        one of its questions (see :meth:`_lookup_active`), in their order."""
        call_types = {}
        for row in rows:
            type_id = row["type_id"]
            if type_id not in call_types:
                text = html2plaintext(row["instructions"] or "").strip()
                call_types[type_id] = {
                    "id": type_id,
                    "name": row["name"],
                    "action": row["action"],
                    "message_category_code": row["category_code"] or False,
                    "instructions": text or False,
                    "questions": [],
                }
            if row["question_id"]:
                field_type = row["field_type"]
                call_types[type_id]["questions"].append(
                    {
                        "id": row["question_id"],
                        "label": row["label"],
                        "field_type": field_type,
                        "options": split_options(row["options"])
                        if field_type == "selection"
                        else [],
                        "required": bool(row["required"]),
                    }
                )
        return list(call_types.values())

    # The lines the screen pop reads of a version (none has a record rule:
    # they are seen with their version, which has).
    _LOOKUP_LINE_MODELS = (
        "callgest.protocol.caller.entry",
        "callgest.protocol.transfer.target",
        "callgest.protocol.call.type",
        "callgest.protocol.question",
        "callgest.protocol.snippet",
    )

    @api.model
    def _lookup_active(self, protocol, version=None):
        """The active version of ``protocol`` and what the screen pop reads of
        it, in one query: ``(version, content)``, ``(empty, None)`` when there
        is none (or the user may not read it). Given ``version`` (one of
        ``protocol``, in any state: the client portal shows past ones too),
        that version instead of the active one.

        ``content`` has the :attr:`_LOOKUP_FIELDS` of the version, its
        ``entries`` as ``(pattern, category, reason)``, its transfer
        ``targets`` as ``(number, contact_id, ring_seconds)``, its
        ``call_types`` as :meth:`_call_types_of_rows` gives them, its
        ``snippets`` as ``{"name", "body"}``, each in its model's order, and
        ``user_name``, the name of the user (the secretary of the greeting,
        read as superuser as it always was).
        """
        if not protocol:
            return self.browse(), None
        self.check_access("read")
        self.flush_model()
        for model in self._LOOKUP_LINE_MODELS:
            self.env[model].check_access("read")
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT v.id, v.version, v.greeting, v.languages, v.instructions,
                       v.out_of_hours_behaviour, v.out_of_hours_message,
                       v.voicemail_email, v.max_transfer_seconds,
                  (SELECT json_agg(json_build_array(e.pattern, e.category, e.reason)
                                   ORDER BY e.category, e.pattern, e.id)
                     FROM callgest_protocol_caller_entry e
                    WHERE e.version_id = v.id),
                  (SELECT json_agg(json_build_array(t.number, t.contact_id,
                                                    t.ring_seconds)
                                   ORDER BY t.sequence, t.id)
                     FROM callgest_protocol_transfer_target t
                    WHERE t.version_id = v.id),
                  (SELECT json_agg(json_build_object(
                              'type_id', ct.id, 'name', ct.name,
                              'action', ct.action,
                              'category_code', ct.message_category_code,
                              'instructions', ct.instructions,
                              'question_id', q.id, 'label', q.label,
                              'field_type', q.field_type,
                              'options', q.selection_options,
                              'required', q.required)
                            ORDER BY ct.sequence, ct.id, q.sequence, q.id)
                     FROM callgest_protocol_call_type ct
                LEFT JOIN callgest_protocol_question q ON q.call_type_id = ct.id
                    WHERE ct.version_id = v.id),
                  (SELECT json_agg(json_build_array(s.name, s.body)
                                   ORDER BY s.sequence, s.id)
                     FROM callgest_protocol_snippet s
                    WHERE s.version_id = v.id),
                  (SELECT p.name
                     FROM res_users u
                     JOIN res_partner p ON p.id = u.partner_id
                    WHERE u.id = %(uid)s)
                  FROM callgest_protocol_version v
                 WHERE v.protocol_id = %(protocol)s AND %(which)s
              ORDER BY v.id
                 LIMIT 1
                """,
                protocol=protocol.id,
                which=SQL("v.id = %s", version.id)
                if version
                else SQL("v.state = 'active'"),
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.browse(), None
        version = self.browse(row[0])
        if not self.env.su:  # the version's record rules, as a search has them
            version = version._filtered_access("read")
            if not version:
                return self.browse(), None
        content = dict(zip(self._LOOKUP_FIELDS, row[1:9], strict=True))
        entries, targets, call_types, snippets, user_name = row[9:]
        content.update(
            entries=[
                (pattern, category, reason or False)
                for pattern, category, reason in entries or ()
            ],
            targets=[tuple(target) for target in targets or ()],
            call_types=self._call_types_of_rows(call_types or ()),
            snippets=[
                {"name": name, "body": body or ""} for name, body in snippets or ()
            ],
            user_name=user_name,
        )
        return version, content

    @api.model
    @tools.ormcache("country_id")
    def _lookup_phone_code(self, country_id):
        """The calling code of a country (``34``), cached: res.country clears
        the caches when a code changes."""
        return self.env["res.country"].sudo().browse(country_id).phone_code

    def _lookup_values(self, partner, caller_number, utc, local, is_open, content):
        """The parts of the screen pop that come from this version.

        :param content: what :meth:`_lookup_active` read of it.
        """
        if not self:
            return {
                "greeting": False,
                "languages": False,
                "instructions": False,
                "caller_category": False,
                "caller_reason": False,
                "transfer_targets": [],
                "max_transfer_seconds": False,
                "call_types": [],
                "snippets": [],
                "out_of_hours": False
                if is_open
                else {
                    "behaviour": False,
                    "message": False,
                    "voicemail_email": False,
                    "on_call": False,
                },
            }
        self.ensure_one()
        code = str(self._lookup_phone_code(self._country(partner).id) or 34)
        entries, target_rows = content["entries"], content["targets"]
        try:
            category, reason = routing.caller_category(caller_number, entries, code)
        except ValueError:
            category, reason = None, None
        secretary = (content["user_name"] or "").split()
        greeting = routing.render_greeting(
            content["greeting"],
            partner.name,
            secretary[0] if secretary else "",
            local,
            partner.lang,
        )
        plan = routing.plan_cascade(
            [
                ((number, contact_id), ring_seconds)
                for number, contact_id, ring_seconds in target_rows
                if ring_seconds > 0
            ],
            content["max_transfer_seconds"] or routing.DEFAULT_MAX_TRANSFER_SECONDS,
        )
        # contacts read as the user, only when the cascade has some
        contacts = self.env["res.partner"].browse(
            dict.fromkeys(row[1] for row in target_rows if row[1])
        )
        contacts.fetch(["name"])  # their names, not their whole rows
        names = {contact.id: contact.name for contact in contacts}
        targets = [
            {
                "sequence": step.sequence,
                "number": step.target[0],
                "contact_id": step.target[1] or False,
                "contact": names.get(step.target[1]) or False,
                "start_offset": step.start_offset,
                "ring_seconds": step.ring_seconds,
                "requested_seconds": step.requested_seconds,
                "included": step.included,
                "reason": step.reason or False,
            }
            for step in plan
        ]
        out_of_hours = False
        if not is_open:
            on_call = routing.on_call_at(
                utc,
                [
                    (shift.start, shift.end, shift)
                    for shift in self.env[
                        "callgest.protocol.on.call.shift"
                    ].search_fetch(
                        [("version_id", "=", self.id)],
                        ["start", "end", "partner_id", "name", "phone"],
                    )
                    if shift.start and shift.end
                ],
            )
            out_of_hours = {
                "behaviour": content["out_of_hours_behaviour"],
                "message": content["out_of_hours_message"] or False,
                "voicemail_email": content["voicemail_email"] or False,
                "on_call": {
                    "name": on_call._person_name(),
                    "phone": on_call._person_phone(),
                }
                if on_call
                else False,
            }
        return {
            "greeting": greeting,
            "languages": content["languages"] or False,
            "instructions": content["instructions"] or False,
            "caller_category": category or False,
            "caller_reason": reason or False,
            "transfer_targets": targets,
            "max_transfer_seconds": content["max_transfer_seconds"],
            "out_of_hours": out_of_hours,
            "call_types": content["call_types"],
            "snippets": content["snippets"],
        }

    # ------------------------------------------------------------------
    # Client portal
    # ------------------------------------------------------------------
    def _portal_content(self, secretary_placeholder):
        """What the client's portal shows of this version: what the
        secretary's screen pop shows (the same :meth:`_lookup_active` and
        :meth:`_lookup_values`, at the client's current time, for no caller
        in particular, the greeting with ``secretary_placeholder`` for the
        secretary's name), the caller lists, the out-of-hours behaviour and
        the client's weekly hours.

        Called as superuser on a version the portal user may read (the
        caller checks it through the record rules): the lines of a version
        have no rules of their own.
        """
        self.ensure_one()
        partner = self.partner_id
        calendar = partner.callgest_calendar_id
        tz_name = partner.tz or calendar.tz or "UTC"
        utc, local = routing.resolve_when(None, tz_name)
        version, content = self._lookup_active(self.protocol_id, version=self)
        values = version._lookup_values(partner, None, utc, local, True, content)
        values["greeting"] = routing.render_greeting(
            content["greeting"],
            partner.name,
            secretary_placeholder,
            local,
            partner.lang,
        )
        behaviours = dict(
            self._fields["out_of_hours_behaviour"]._description_selection(self.env)
        )
        categories = dict(
            self.env["callgest.protocol.caller.entry"]
            ._fields["category"]
            ._description_selection(self.env)
        )
        weekly, _holidays = self.env["callgest.protocol"]._lookup_schedule(
            partner, local
        )
        values.update(
            {
                "timezone": tz_name,
                "hours": weekly,
                "caller_lists": [
                    {
                        "category": category,
                        "category_label": categories.get(category, category),
                        "pattern": pattern,
                        "reason": reason or False,
                    }
                    for pattern, category, reason in content["entries"]
                ],
                "out_of_hours_behaviour": behaviours.get(
                    content["out_of_hours_behaviour"], False
                ),
                "out_of_hours_message": content["out_of_hours_message"] or False,
                "voicemail_email": content["voicemail_email"] or False,
            }
        )
        return values
