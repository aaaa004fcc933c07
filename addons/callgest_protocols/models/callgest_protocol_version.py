from odoo import _, api, fields, models
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
    def _lookup_call_types(self):
        """The call types of this version with their questions, in one query."""
        self.ensure_one()
        CallType = self.env["callgest.protocol.call.type"]
        Question = self.env["callgest.protocol.question"]
        CallType.check_access("read")
        Question.check_access("read")
        CallType.flush_model()
        Question.flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT ct.id, ct.name, ct.action, ct.message_category_code,
                       ct.instructions, q.id, q.label, q.field_type,
                       q.selection_options, q.required
                  FROM callgest_protocol_call_type ct
             LEFT JOIN callgest_protocol_question q ON q.call_type_id = ct.id
                 WHERE ct.version_id = %s
              ORDER BY ct.sequence, ct.id, q.sequence, q.id
                """,
                self.id,
            )
        )
        call_types = {}
        for row in self.env.cr.fetchall():
            (type_id, name, action, category_code, instructions) = row[:5]
            (question_id, label, field_type, options, required) = row[5:]
            if type_id not in call_types:
                text = html2plaintext(instructions or "").strip()
                call_types[type_id] = {
                    "id": type_id,
                    "name": name,
                    "action": action,
                    "message_category_code": category_code or False,
                    "instructions": text or False,
                    "questions": [],
                }
            if question_id:
                call_types[type_id]["questions"].append(
                    {
                        "id": question_id,
                        "label": label,
                        "field_type": field_type,
                        "options": split_options(options)
                        if field_type == "selection"
                        else [],
                        "required": bool(required),
                    }
                )
        return list(call_types.values())

    def _lookup_snippets(self):
        """The snippets of this version, in one query."""
        self.ensure_one()
        return [
            {"name": snippet.name, "body": snippet.body or ""}
            for snippet in self.env["callgest.protocol.snippet"].search_fetch(
                [("version_id", "=", self.id)], ["name", "body"]
            )
        ]

    def _lookup_values(self, partner, caller_number, utc, local, is_open):
        """The parts of the screen pop that come from this version."""
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
        country = self._country(partner)
        code = str(country.phone_code or 34)
        entries = [
            (entry.pattern, entry.category, entry.reason or False)
            for entry in self.env["callgest.protocol.caller.entry"].search_fetch(
                [("version_id", "=", self.id)], ["pattern", "category", "reason"]
            )
        ]
        try:
            category, reason = routing.caller_category(caller_number, entries, code)
        except ValueError:
            category, reason = None, None
        secretary = (self.env.user.sudo().name or "").split()
        greeting = routing.render_greeting(
            self.greeting,
            partner.name,
            secretary[0] if secretary else "",
            local,
            partner.lang,
        )
        plan = routing.plan_cascade(
            [
                (target, target.ring_seconds)
                for target in self.env[
                    "callgest.protocol.transfer.target"
                ].search_fetch(
                    [("version_id", "=", self.id)],
                    ["sequence", "number", "contact_id", "ring_seconds"],
                )
                if target.ring_seconds > 0
            ],
            self.max_transfer_seconds or routing.DEFAULT_MAX_TRANSFER_SECONDS,
        )
        targets = [
            {
                "sequence": step.sequence,
                "number": step.target.number,
                "contact_id": step.target.contact_id.id or False,
                "contact": step.target.contact_id.name or False,
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
                "behaviour": self.out_of_hours_behaviour,
                "message": self.out_of_hours_message or False,
                "voicemail_email": self.voicemail_email or False,
                "on_call": {
                    "name": on_call._person_name(),
                    "phone": on_call._person_phone(),
                }
                if on_call
                else False,
            }
        return {
            "greeting": greeting,
            "languages": self.languages or False,
            "instructions": str(self.instructions or "") or False,
            "caller_category": category or False,
            "caller_reason": reason or False,
            "transfer_targets": targets,
            "max_transfer_seconds": self.max_transfer_seconds,
            "out_of_hours": out_of_hours,
            "call_types": self._lookup_call_types(),
            "snippets": self._lookup_snippets(),
        }
