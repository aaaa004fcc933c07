from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import phone_numbers, phone_validation, rpc_args

DDI_STATES = [
    ("available", "Available"),
    ("reserved", "Reserved"),
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("released", "Released"),
]
ASSIGNED_STATES = ("reserved", "active", "suspended")


class CallgestDdi(models.Model):
    """A dedicated number (DDI) a client forwards its calls to."""

    _name = "callgest.ddi"
    _description = "CallGest DDI"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "partner_id, number"
    _rec_name = "number"
    _rec_names_search = ["number", "number_entered", "partner_id"]
    _check_company_auto = True

    number_entered = fields.Char(
        string="Number as entered",
        required=True,
        tracking=True,
        help="The number as it was written, in any format: 93 390 67 00, "
        "+34933906700, 0034933906700...",
    )
    country_id = fields.Many2one(
        "res.country",
        default=lambda self: self.env.company.country_id,
        help="Country used to read a number written in national format.",
    )
    number = fields.Char(
        compute="_compute_number_info",
        store=True,
        precompute=True,
        readonly=True,
        index=True,
        help="International E.164 form, e.g. +34933906700.",
    )
    number_digits = fields.Char(
        compute="_compute_number_info",
        store=True,
        precompute=True,
        index=True,
        readonly=True,
    )
    national_digits = fields.Char(
        compute="_compute_number_info",
        store=True,
        precompute=True,
        index=True,
        readonly=True,
    )
    number_national = fields.Char(
        string="National format",
        compute="_compute_number_info",
        store=True,
        precompute=True,
    )
    number_international = fields.Char(
        string="International format",
        compute="_compute_number_info",
        store=True,
        precompute=True,
    )
    number_type = fields.Selection(
        phone_numbers.NUMBER_TYPES,
        string="Number type",
        compute="_compute_number_info",
        store=True,
        precompute=True,
        index=True,
    )
    number_region = fields.Char(
        string="Region",
        compute="_compute_number_info",
        store=True,
        precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        index=True,
        tracking=True,
        check_company=True,
        domain=[("is_callgest_client", "=", True)],
    )
    professional_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', partner_id), "
        "('callgest_is_professional', '=', True)]",
        help="For a collective: the professional this number belongs to.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        DDI_STATES,
        default="available",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    reservation_date = fields.Date(tracking=True, copy=False)
    activation_date = fields.Date(tracking=True, copy=False)
    release_date = fields.Date(tracking=True, copy=False)
    release_reason = fields.Selection(
        [("ported_out", "Ported out"), ("retired", "Retired")],
        tracking=True,
        copy=False,
    )
    note = fields.Text()

    def init(self):
        # At most one live DDI per number, enforced by PostgreSQL itself:
        # a released number may come back as a new DDI.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS callgest_ddi_live_number_uniq "
                "ON callgest_ddi (number) WHERE state != 'released'"
            )
        )

    @api.depends("number_entered", "country_id")
    def _compute_number_info(self):
        for ddi in self:
            info = ddi._parse_number(raise_error=False)
            ddi.number = info and info.e164
            ddi.number_digits = info and info.digits
            ddi.national_digits = info and info.national_digits
            ddi.number_national = info and info.national
            ddi.number_international = info and info.international
            ddi.number_region = info and info.region
            ddi.number_type = info and info.number_type

    def _parse_number(self, raise_error=True):
        """Parse and validate the entered number with Odoo's phone_validation."""
        self.ensure_one()
        if not self.number_entered:
            return False
        try:
            return phone_validation.parse_number(
                self.number_entered, self.country_id.code
            )
        except UserError as error:
            if not raise_error:
                return False
            raise ValidationError(
                _(
                    "%(number)s is not a valid telephone number for a DDI "
                    "(country: %(country)s). %(reason)s",
                    number=self.number_entered,
                    country=self.country_id.name or _("none, use the +prefix"),
                    reason=error.args[0],
                )
            ) from error

    @api.depends("number_international", "number_entered", "partner_id")
    @api.depends_context("callgest_ddi_show_client")
    def _compute_display_name(self):
        show_client = self.env.context.get("callgest_ddi_show_client", True)
        for ddi in self:
            name = ddi.number_international or ddi.number_entered or ""
            if show_client and ddi.partner_id:
                name = f"{name} ({ddi.partner_id.name})"
            ddi.display_name = name

    def _state_label(self, state):
        """The label of a state in the user's language."""
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _check_live_number_free(self, e164, exclude_ids=()):
        """Refuse a number already used by a DDI that is not released.

        Checked before writing, so the user gets this message rather than the
        database's: the partial unique index ``callgest_ddi_live_number_uniq``
        stays the guarantee under concurrency.
        """
        if not e164:
            return
        other = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("number", "=", e164),
                    ("state", "!=", "released"),
                    ("id", "not in", list(exclude_ids)),
                ],
                limit=1,
            )
        )
        if other:
            raise ValidationError(
                _(
                    "The number %(number)s is already in use by another DDI "
                    "(%(other)s, %(state)s). Release that DDI first.",
                    number=other.number_international,
                    other=other.partner_id.name or _("in stock"),
                    state=self._state_label(other.state),
                )
            )

    @api.constrains("state", "partner_id", "professional_id")
    def _check_assignment(self):
        for ddi in self:
            if ddi.state in ASSIGNED_STATES and not ddi.partner_id:
                raise ValidationError(
                    _(
                        "The DDI %(number)s cannot be %(state)s without a client.",
                        number=ddi.display_name,
                        state=self._state_label(ddi.state).lower(),
                    )
                )
            professional = ddi.professional_id
            if professional and professional.parent_id != ddi.partner_id:
                raise ValidationError(
                    _(
                        "%(professional)s is not a professional of %(client)s.",
                        professional=professional.name,
                        client=ddi.partner_id.name or _("no client"),
                    )
                )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.professional_id.parent_id != self.partner_id:
            self.professional_id = False

    @api.model_create_multi
    def create(self, vals_list):
        seen = set()
        for vals in vals_list:
            probe = self.new(
                {
                    "number_entered": vals.get("number_entered"),
                    "country_id": vals.get(
                        "country_id", self.default_get(["country_id"]).get("country_id")
                    ),
                }
            )
            info = probe._parse_number(raise_error=True)
            if info and vals.get("state", "available") != "released":
                if info.e164 in seen:
                    raise ValidationError(
                        _("The number %(number)s is given twice.", number=info.e164)
                    )
                seen.add(info.e164)
                self._check_live_number_free(info.e164)
        return super().create(vals_list)

    def write(self, vals):
        if "partner_id" in vals or "professional_id" in vals:
            for ddi in self:
                if ddi.state == "released":
                    raise UserError(
                        _(
                            "The DDI %(number)s is released: it cannot be assigned "
                            "again. Create a new DDI for the number.",
                            number=ddi.display_name,
                        )
                    )
        if vals.get("state", "released") != "released" and any(
            ddi.state == "released" for ddi in self
        ):
            raise UserError(
                _(
                    "A released DDI stays released. Create a new DDI to bring the "
                    "number back into service."
                )
            )
        if "number_entered" in vals or "country_id" in vals:
            for ddi in self:
                probe = self.new(
                    {
                        "number_entered": vals.get(
                            "number_entered", ddi.number_entered
                        ),
                        "country_id": vals.get("country_id", ddi.country_id.id),
                    }
                )
                info = probe._parse_number(raise_error=True)
                if info and ddi.state != "released":
                    ddi._check_live_number_free(info.e164, exclude_ids=ddi.ids)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------
    def _require_client(self, action_label):
        unassigned = self.filtered(lambda ddi: not ddi.partner_id)
        if unassigned:
            raise UserError(
                _(
                    "Choose a client before you %(action)s the DDI %(numbers)s.",
                    action=action_label,
                    numbers=", ".join(unassigned.mapped("display_name")),
                )
            )

    def _require_states(self, states, action_label):
        wrong = self.filtered(lambda ddi: ddi.state not in states)
        if wrong:
            raise UserError(
                _(
                    "You cannot %(action)s the DDI %(numbers)s in its current state "
                    "(%(state)s).",
                    action=action_label,
                    numbers=", ".join(wrong.mapped("display_name")),
                    state=", ".join(
                        sorted({self._state_label(s) for s in wrong.mapped("state")})
                    ),
                )
            )

    def action_reserve(self):
        self._require_states(("available",), _("reserve"))
        self._require_client(_("reserve"))
        self.write(
            {"state": "reserved", "reservation_date": fields.Date.context_today(self)}
        )

    def action_activate(self):
        self._require_states(("available", "reserved", "suspended"), _("activate"))
        self._require_client(_("activate"))
        today = fields.Date.context_today(self)
        for ddi in self:
            vals = {"state": "active"}
            if not ddi.activation_date:
                vals["activation_date"] = today
            ddi.write(vals)

    def action_suspend(self):
        self._require_states(("active",), _("suspend"))
        self.write({"state": "suspended"})

    def action_return_to_stock(self):
        """Undo a reservation: the number goes back to the stock."""
        self._require_states(("available", "reserved"), _("return to stock"))
        self.write(
            {
                "state": "available",
                "partner_id": False,
                "professional_id": False,
                "reservation_date": False,
            }
        )

    def action_release(self, reason="retired"):
        """Take a number out of service for good (ported out or retired)."""
        half_assigned = self.filtered(
            lambda ddi: (
                ddi.state == "reserved"
                or (
                    ddi.state == "available" and (ddi.partner_id or ddi.professional_id)
                )
            )
        )
        if half_assigned:
            raise UserError(
                _(
                    "The DDI %(numbers)s is half-assigned: it has a client but was "
                    "never put in service. Return it to stock first, then release it.",
                    numbers=", ".join(half_assigned.mapped("display_name")),
                )
            )
        self._require_states(("available", "active", "suspended"), _("release"))
        self.write(
            {
                "state": "released",
                "release_date": fields.Date.context_today(self),
                "release_reason": reason,
            }
        )

    def action_release_ported_out(self):
        return self.action_release(reason="ported_out")

    # ------------------------------------------------------------------
    # Search and resolution
    # ------------------------------------------------------------------
    @api.model
    def _search_display_name(self, operator, value):
        """Find a DDI by any written form of its number, or by its client."""
        domain = super()._search_display_name(operator, value)
        if operator in ("ilike", "=ilike", "like", "=like", "=") and isinstance(
            value, str
        ):
            digits = phone_numbers.search_digits(value)
            if len(digits) >= 3:
                number_domain = [
                    "|",
                    ("number_digits", "like", digits),
                    ("national_digits", "like", digits.lstrip("0") or digits),
                ]
                domain = ["|", *number_domain, *domain]
        return domain

    # What the resolver and its callers (resolve_number, the screen pop, the
    # CDR import) read of a DDI, fetched with the search.
    _RESOLVE_FIELDS = [
        "number",
        "number_digits",
        "number_region",
        "partner_id",
        "professional_id",
        "company_id",
        "state",
    ]

    @api.model
    def _resolve(self, raw_number):
        """The live DDI a raw number as sent by a PBX stands for.

        The single resolver used by the screen pop, the CDR import and
        billing. Released numbers never resolve; suspended ones do, so the
        caller can tell "known but suspended" from "unknown".
        """
        full_keys, national_keys = phone_numbers.lookup_keys(raw_number)
        if not full_keys and not national_keys:
            return self.browse()
        domain = [("state", "!=", "released")]
        if national_keys:
            domain += [
                "|",
                ("number_digits", "in", list(full_keys)),
                ("national_digits", "in", list(national_keys)),
            ]
        else:
            domain.append(("number_digits", "in", list(full_keys)))
        # what the callers read of it, in the same query
        candidates = self.search_fetch(domain, self._RESOLVE_FIELDS, order="id")
        if len(candidates) <= 1:
            return candidates
        narrowed = phone_numbers.narrow_candidates(
            candidates,
            full_keys,
            self.env.company.country_id.code,
            digits_of=lambda ddi: ddi.number_digits,
            region_of=lambda ddi: ddi.number_region,
        )
        return narrowed[0]

    def _serve_decision(self):
        """Whether the PBX and the secretaries serve a call to this DDI:
        ``{"serve": bool, "serve_reason": text or False}``.

        The one hook every answer on an incoming call reads (``resolve_number``
        here, the screen pop of callgest_protocols): addons that may stop a
        client's service (callgest_billing's prepaid balance) override it.
        """
        self.ensure_one()
        return {"serve": bool(self.partner_id), "serve_reason": False}

    @api.model
    def _serve_decision_partner_fields(self):
        """The fields of the client ``_serve_decision`` reads, for callers that
        fetch the client's row once (the screen pop, as superuser)."""
        return []

    @api.model
    def _callgest_as_rpc_caller(self):
        """This model with the rights its RPC methods answer with.

        The PBX's technical user reads nothing model-wide (no partner, no
        protocol): ``resolve_number``, the screen-pop ``lookup`` and
        ``push_cdr`` answer it as superuser, for one DDI of its companies.
        Anyone else keeps their own rights.
        """
        user = self.env.user
        if user.has_group("callgest_base.group_callgest_pbx") and not user.has_group(
            "callgest_base.group_callgest_secretary"
        ):
            return self.sudo()
        return self

    @api.model
    def _resolve_for_rpc(self, raw_number):
        """``_resolve``, kept to the companies of the user (also as superuser)."""
        ddi = self._resolve(raw_number)
        if ddi and ddi.company_id.id not in self.env.user._get_company_ids():
            return self.browse()
        return ddi

    @api.model
    def resolve_number(self, raw_number):
        """RPC entry point of the resolver: a JSON-serializable dict.

        ``{"ddi_id": False, ...}`` means the number is unknown or released.
        For a client's DDI it also says whether to serve the call
        (``serve``, and why not in ``serve_reason``, also as ``reason``).
        """
        raw_number = rpc_args.text(self.env, raw_number, "raw_number", '"+34933906701"')
        ddi = self._callgest_as_rpc_caller()._resolve_for_rpc(raw_number)
        payload = {
            "number": raw_number,
            "ddi_id": ddi.id or False,
            "e164": ddi.number or False,
            "state": ddi.state or False,
            "client_id": ddi.partner_id.id or False,
            "client_name": ddi.partner_id.name or False,
            "client_code": ddi.partner_id.callgest_client_code or False,
            "professional_id": ddi.professional_id.id or False,
            "professional_name": ddi.professional_id.name or False,
            "company_id": ddi.company_id.id or False,
        }
        if ddi.partner_id:
            decision = ddi._serve_decision()
            payload.update(decision, reason=decision["serve_reason"])
        return payload
