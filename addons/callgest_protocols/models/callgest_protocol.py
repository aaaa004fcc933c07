from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.callgest_base.tools import rpc_args

from ..tools import routing

# Every key of the screen pop, so that the PBX always gets the same shape.
LOOKUP_KEYS = (
    "ddi_number",
    "caller_number",
    "client",
    "client_id",
    "reason",
    "serve",
    "serve_reason",
    "ddi",
    "ddi_id",
    "ddi_state",
    "professional",
    "timezone",
    "local_time",
    "open",
    "next_change",
    "protocol_id",
    "protocol_version",
    "greeting",
    "languages",
    "instructions",
    "caller_category",
    "caller_reason",
    "transfer_targets",
    "max_transfer_seconds",
    "out_of_hours",
    "call_types",
    "snippets",
)


class CallgestProtocol(models.Model):
    """How a client, or one of its DDIs, wants its calls answered."""

    # What the screen pop reads of the client, in one narrow query.
    _LOOKUP_PARTNER_FIELDS = [
        "name",
        "tz",
        "lang",
        "country_id",
        "callgest_calendar_id",
    ]

    _name = "callgest.protocol"
    _description = "CallGest attendance protocol"
    _inherit = ["mail.thread"]
    _order = "partner_id, ddi_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        required=True,
        index=True,
        tracking=True,
        ondelete="cascade",
        domain=[("is_callgest_client", "=", True)],
    )
    ddi_id = fields.Many2one(
        "callgest.ddi",
        string="DDI",
        index="btree_not_null",
        tracking=True,
        ondelete="cascade",
        domain="[('partner_id', '=', partner_id)]",
        help="Leave empty for the client's protocol. A DDI's own protocol "
        "overrides the client's for the calls to that number.",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        index=True,
    )
    version_ids = fields.One2many(
        "callgest.protocol.version", "protocol_id", string="Versions"
    )
    active_version_id = fields.Many2one(
        "callgest.protocol.version",
        string="Active version",
        compute="_compute_active_version_id",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "partner_ddi_uniq",
            "unique(partner_id, ddi_id)",
            "This DDI already has a protocol.",
        ),
    ]

    def init(self):
        # unique(partner_id, ddi_id) lets NULLs repeat: one client protocol too.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS callgest_protocol_client_uniq "
                "ON callgest_protocol (partner_id) WHERE ddi_id IS NULL"
            )
        )

    @api.depends("partner_id.name", "ddi_id.number")
    def _compute_name(self):
        for protocol in self:
            name = protocol.partner_id.name or ""
            if protocol.ddi_id:
                name = f"{name} ({protocol.ddi_id.number})"
            protocol.name = name

    @api.depends("partner_id.company_id")
    def _compute_company_id(self):
        for protocol in self:
            protocol.company_id = protocol.partner_id.company_id or self.env.company

    @api.depends("version_ids.state")
    def _compute_active_version_id(self):
        for protocol in self:
            protocol.active_version_id = protocol.version_ids.filtered(
                lambda version: version.state == "active"
            )[:1]

    def _check_scope_free(self, partner_id, ddi_id):
        """One protocol per client and per DDI, checked before the database."""
        twin = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "not in", self.ids),
                    ("partner_id", "=", partner_id),
                    ("ddi_id", "=", ddi_id or False),
                ],
                limit=1,
            )
        )
        if twin:
            raise ValidationError(
                _(
                    "%(name)s already has a protocol: add a new version to it.",
                    name=twin.name,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        seen = set()
        for vals in vals_list:
            scope = (vals.get("partner_id"), vals.get("ddi_id") or False)
            if scope in seen:
                raise ValidationError(_("The same protocol is given twice."))
            seen.add(scope)
            self._check_scope_free(*scope)
        return super().create(vals_list)

    def write(self, vals):
        if "partner_id" in vals or "ddi_id" in vals:
            for protocol in self:
                protocol._check_scope_free(
                    vals.get("partner_id", protocol.partner_id.id),
                    vals.get("ddi_id", protocol.ddi_id.id),
                )
        return super().write(vals)

    @api.constrains("partner_id", "ddi_id")
    def _check_ddi_of_client(self):
        for protocol in self:
            if protocol.ddi_id and protocol.ddi_id.partner_id != protocol.partner_id:
                raise ValidationError(
                    _(
                        "The DDI %(ddi)s does not belong to %(client)s.",
                        ddi=protocol.ddi_id.number,
                        client=protocol.partner_id.display_name,
                    )
                )

    def action_new_draft(self):
        """A new draft version, a copy of the active one with its lines."""
        self.ensure_one()
        source = self.active_version_id
        if source:
            draft = source.copy({"state": "draft"})
        else:
            draft = self.env["callgest.protocol.version"].create(
                {"protocol_id": self.id}
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "callgest.protocol.version",
            "res_id": draft.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Screen pop
    # ------------------------------------------------------------------
    @api.model
    def _lookup_schedule(self, partner, local):
        """``(weekly_hours, holidays)`` of a client around ``local``."""
        calendar = partner.callgest_calendar_id
        if not calendar:
            return (), ()
        return self._calendar_schedule(calendar.id, str(local.tzinfo.zone))

    @api.model
    @tools.ormcache("calendar_id", "tz_name")
    def _calendar_schedule(self, calendar_id, tz_name):
        """``(weekly_hours, holidays)`` of a calendar: its attendances
        without lunch breaks, and the local days in ``tz_name`` its leaves
        (not of a resource) cover entirely, all of them.

        Cached per process and shared by every user (read as superuser: the
        screen pop shows whether the client is open, not the calendar); the
        cache is cleared whenever an attendance or a leave is created,
        changed or deleted (see resource_calendar_attendance.py and
        resource_calendar_leaves.py), in every worker.
        """
        env = self.sudo().env
        attendances = env["resource.calendar.attendance"].search_fetch(
            [("calendar_id", "=", calendar_id), ("day_period", "!=", "lunch")],
            ["dayofweek", "hour_from", "hour_to"],
        )
        weekly = tuple(
            (int(attendance.dayofweek), attendance.hour_from, attendance.hour_to)
            for attendance in attendances
            if attendance.hour_to > attendance.hour_from
        )
        leaves = env["resource.calendar.leaves"].search_fetch(
            [("calendar_id", "=", calendar_id), ("resource_id", "=", False)],
            ["date_from", "date_to"],
        )
        holidays = set()
        for leave in leaves:
            if leave.date_from and leave.date_to:
                holidays.update(
                    routing.whole_local_days(leave.date_from, leave.date_to, tz_name)
                )
        return weekly, tuple(sorted(holidays))

    @api.model
    def lookup(self, ddi_number, caller_number=None, when=None, agent_login=None):
        """Everything the secretary's screen shows when a call arrives.

        :param ddi_number: the dialed number as the PBX sends it.
        :param caller_number: the caller's number (empty when withheld).
        :param when: ``None`` (now), or an ISO-8601 string: without offset it
            is the client's local time, with an offset it is honoured.
        :param agent_login: the login of the secretary the PBX rings; her
            call console pops up with this call (bus notification).
        :return: a JSON-serializable dict; ``client`` is ``False`` (with
            ``reason: "unknown_ddi"``) for an unknown or released number.
            ``serve`` says whether the call is served (``False`` with its
            ``serve_reason``, e.g. a prepaid client whose balance is
            exhausted), the same decision as ``callgest.ddi.resolve_number``.
        """
        env = self.env
        ddi_number = rpc_args.text(env, ddi_number, "ddi_number", '"+34933906701"')
        caller_number = rpc_args.optional_text(
            env, caller_number, "caller_number", '"+34600100200"'
        )
        when = (
            rpc_args.optional_text(env, when, "when", '"2026-12-03T10:30:00"') or None
        )
        agent_login = rpc_args.optional_text(
            env, agent_login, "agent_login", '"secretaria"'
        )
        if agent_login:
            self._notify_agent(agent_login, ddi_number, caller_number)
        Ddi = self.env["callgest.ddi"]._callgest_as_rpc_caller()
        return self.with_env(Ddi.env)._lookup(
            Ddi._resolve_for_rpc(ddi_number), ddi_number, caller_number, when
        )

    @api.model
    def _lookup(self, ddi, ddi_number, caller_number, when):
        result = dict.fromkeys(LOOKUP_KEYS, False)
        result.update(
            {
                "ddi_number": ddi_number,
                "caller_number": caller_number or False,
                "transfer_targets": [],
                "call_types": [],
                "snippets": [],
            }
        )
        if not ddi or not ddi.partner_id:
            result["reason"] = "unknown_ddi"
            return result
        partner = ddi.partner_id
        # what the screen pop reads of the client, not its whole row
        fnames = self._LOOKUP_PARTNER_FIELDS
        if self.env.su:  # and what the serve decision reads, in the same query
            fnames = fnames + ddi._serve_decision_partner_fields()
        partner.fetch(fnames)
        # the professional's name only, not its whole row at the first read
        ddi.professional_id.fetch(["name"])
        calendar = partner.callgest_calendar_id
        tz_name = partner.tz or calendar.tz or "UTC"
        try:
            utc, local = routing.resolve_when(when, tz_name)
        except ValueError as error:
            raise UserError(str(error)) from error
        protocols = self.search_fetch(
            [
                ("partner_id", "=", partner.id),
                "|",
                ("ddi_id", "=", ddi.id),
                ("ddi_id", "=", False),
            ],
            ["ddi_id"],
            order="id",  # one of the DDI, one of the client: no join to sort
        )
        protocol = protocols.filtered(lambda p: p.ddi_id == ddi)[:1] or protocols[:1]
        Version = self.env["callgest.protocol.version"]
        version, content = Version._lookup_active(protocol)
        weekly, holidays = self._lookup_schedule(partner, local)
        is_open = routing.is_open(local, weekly, holidays)
        change = routing.next_change(local, weekly, holidays)
        result.update(
            {
                "client": partner.name,
                "client_id": partner.id,
                "ddi": ddi.number,
                "ddi_id": ddi.id,
                "ddi_state": ddi.state,
                "professional": ddi.professional_id.name or False,
                "timezone": tz_name,
                "local_time": local.isoformat(),
                "open": is_open,
                "next_change": change.isoformat() if change else False,
                "protocol_id": protocol.id or False,
                "protocol_version": (content["version"] or False) if version else False,
                "reason": False
                if version
                else ("no_active_version" if protocol else "no_protocol"),
                # the PBX's decision, as callgest.ddi.resolve_number gives it
                **ddi._serve_decision(),
            }
        )
        result.update(
            version._lookup_values(partner, caller_number, utc, local, is_open, content)
        )
        return result

    @api.model
    def _notify_agent(self, login, ddi_number, caller_number=None):
        """Pop the call console of the secretary ``login`` with this call."""
        user = self.env.user
        if not (
            user.has_group("callgest_base.group_callgest_pbx")
            or user.has_group("callgest_base.group_callgest_supervisor")
        ):
            raise AccessError(
                _("Only the PBX and supervisors may announce incoming calls.")
            )
        agent = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("login", "=", login),
                    (
                        "groups_id",
                        "in",
                        self.env.ref("callgest_base.group_callgest_secretary").ids,
                    ),
                ],
                limit=1,
            )
        )
        if not agent:
            # the login is not named back: the PBX's answer is no user directory
            raise UserError(_("The agent to notify is not a CallGest secretary."))
        self.env["bus.bus"].sudo()._sendone(
            agent.partner_id,
            "callgest_console/incoming_call",
            {"ddi_number": ddi_number, "caller_number": caller_number or ""},
        )
