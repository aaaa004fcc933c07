from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

INCIDENT_PRIORITIES = [
    ("low", "Low"),
    ("normal", "Normal"),
    ("high", "High"),
    ("critical", "Critical"),
]
# Business hours (of the client's calendar) to deal with an incident.
RESPONSE_HOURS = {"low": 72, "normal": 24, "high": 8, "critical": 2}


class CallgestIncident(models.Model):
    """An incidencia: a fault, breakdown or claim registered for a client."""

    _name = "callgest.incident"
    _description = "Incidencia"
    _inherit = [
        "callgest.call.item.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "taken_at desc, id desc"
    # the client answers on the portal an incidencia he may read
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    type_id = fields.Many2one(
        "callgest.incident.type",
        domain="['|', ('partner_id', '=', False), ('partner_id', '=', partner_id)]",
        tracking=True,
    )
    site = fields.Char(string="Site or address")
    description = fields.Text(required=True)
    priority = fields.Selection(
        INCIDENT_PRIORITIES,
        required=True,
        tracking=True,
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_due = fields.Datetime(
        string="Due",
        compute="_compute_date_due",
        store=True,
        readonly=False,
        help="From the priority and the client's business hours.",
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In progress"),
            ("waiting", "Waiting"),
            ("resolved", "Resolved"),
            ("closed", "Closed"),
        ],
        default="new",
        required=True,
        tracking=True,
        index=True,
    )
    notify_partner_id = fields.Many2one(
        "res.partner",
        string="Contact to notify",
        domain="[('id', 'child_of', partner_id)]",
        help="The person on the client's side who deals with this incident.",
    )
    delivery_ids = fields.One2many(
        "callgest.delivery", "incident_id", string="Deliveries"
    )
    delivery_count = fields.Integer(compute="_compute_delivery_count")

    @api.model_create_multi
    def create(self, vals_list):
        incidents = super().create(vals_list)
        for incident in incidents.filtered(lambda i: i.name == "/"):
            incident.name = incident.partner_id._callgest_next_incident_name()
        incidents._enqueue_deliveries()
        return incidents

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for incident in self:
            incident.access_url = f"/my/incidencias/{incident.id}"
        return res

    @api.depends("type_id")
    def _compute_priority(self):
        for incident in self:
            if incident.type_id:
                incident.priority = incident.type_id.default_priority
            elif not incident.priority:
                incident.priority = "normal"

    @api.depends("priority", "taken_at", "partner_id.callgest_calendar_id")
    def _compute_date_due(self):
        for incident in self:
            if not incident.taken_at:
                incident.date_due = False
                continue
            hours = RESPONSE_HOURS[incident.priority or "normal"]
            calendar = incident.partner_id.callgest_calendar_id
            due = calendar and calendar.plan_hours(
                hours, incident.taken_at, compute_leaves=True
            )
            incident.date_due = due or incident.taken_at + timedelta(hours=hours)

    @api.depends("delivery_ids")
    def _compute_delivery_count(self):
        for incident in self:
            incident.delivery_count = len(incident.delivery_ids)

    def _delivery_category(self):
        return self.env.ref("callgest_message.category_incident")

    def _delivery_is_urgent(self):
        return self.priority in ("high", "critical")

    def _delivery_link_vals(self):
        return {"incident_id": self.id, "kind": "incident"}

    def _set_state(self, state, allowed_from):
        wrong = self.filtered(lambda incident: incident.state not in allowed_from)
        if wrong:
            raise UserError(
                _(
                    "%(names)s cannot move to this state from its current one.",
                    names=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": state})
        return True

    def action_start(self):
        return self._set_state("in_progress", ("new", "waiting"))

    def action_wait(self):
        return self._set_state("waiting", ("new", "in_progress"))

    def action_resolve(self):
        return self._set_state("resolved", ("new", "in_progress", "waiting"))

    def action_close(self):
        return self._set_state("closed", ("resolved",))

    def action_reopen(self):
        return self._set_state("in_progress", ("resolved", "closed"))

    # ------------------------------------------------------------------
    # Client portal
    # ------------------------------------------------------------------
    def _callgest_portal_close(self, partner):
        """The client's contact ``partner`` closes the incidencia, whatever
        its progress, unless it is closed already; the change is his."""
        closed = self.filtered(lambda incident: incident.state == "closed")
        if closed:
            raise UserError(
                _(
                    "The incidencia %(names)s is already closed.",
                    names=", ".join(closed.mapped("name")),
                )
            )
        # the client's contact is the author of the tracked change
        self._track_set_author(partner)
        self.write({"state": "closed"})
        return True

    def _callgest_portal_reopen(self, partner):
        """The client's contact ``partner`` reopens a resolved or closed
        incidencia: it goes back to the service, in progress."""
        still_open = self.filtered(
            lambda incident: incident.state not in ("resolved", "closed")
        )
        if still_open:
            raise UserError(
                _(
                    "The incidencia %(names)s is still open: only a resolved or "
                    "closed incidencia can be reopened.",
                    names=", ".join(still_open.mapped("name")),
                )
            )
        self._track_set_author(partner)
        return self.action_reopen()
