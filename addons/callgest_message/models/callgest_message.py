from odoo import _, api, fields, models
from odoo.exceptions import UserError

# deliveries a supervisor must look at: failed for good, or in doubt
UNDELIVERED = ("failed", "in_doubt")

MESSAGE_STATES = [
    ("draft", "Draft"),
    ("to_deliver", "To deliver"),
    ("delivered", "Delivered"),
    ("acknowledged", "Acknowledged"),
    ("cancelled", "Cancelled"),
]


class CallgestMessage(models.Model):
    """A recado: a message a secretary takes on a call for a client."""

    _name = "callgest.message"
    _description = "Recado"
    _inherit = [
        "callgest.call.item.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "taken_at desc, id desc"
    # the client answers on the portal a recado he may read
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    category_id = fields.Many2one(
        "callgest.message.category",
        required=True,
        domain=[("code", "not in", ("incident", "report"))],
        default=lambda self: self.env.ref(
            "callgest_message.category_message", raise_if_not_found=False
        ),
        tracking=True,
    )
    category_code = fields.Char(related="category_id.code")
    body = fields.Text(string="Message", tracking=True)
    urgency = fields.Selection(
        [("normal", "Normal"), ("urgent", "Urgent")],
        default="normal",
        required=True,
        tracking=True,
        index=True,
    )
    callback_requested = fields.Boolean(string="Call back")
    callback_preferred_time = fields.Char(
        string="Preferred time", help="When the caller wants to be called back."
    )
    written_by_hand = fields.Boolean(
        string="Sent by hand",
        help="The secretary writes and sends this message herself: it is billed "
        "as a manual message rather than an automatic one.",
    )
    state = fields.Selection(
        MESSAGE_STATES, default="draft", required=True, tracking=True, index=True
    )
    client_read_date = fields.Datetime(
        string="Read by the client on",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="When the client marked the recado as read on his portal.",
    )
    client_read_partner_id = fields.Many2one(
        "res.partner",
        string="Read by",
        readonly=True,
        copy=False,
        tracking=True,
        help="The client's contact who marked the recado as read.",
    )
    delivery_ids = fields.One2many(
        "callgest.delivery", "message_id", string="Deliveries"
    )
    delivery_count = fields.Integer(compute="_compute_delivery_count")
    delivery_failed = fields.Boolean(
        compute="_compute_delivery_count", search="_search_delivery_failed"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("callgest.message")
        return super().create(vals_list)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for message in self:
            message.access_url = f"/my/recados/{message.id}"
        return res

    @api.depends("delivery_ids.state")
    def _compute_delivery_count(self):
        for message in self:
            message.delivery_count = len(message.delivery_ids)
            message.delivery_failed = bool(
                set(UNDELIVERED) & set(message.delivery_ids.mapped("state"))
            )

    def _search_delivery_failed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on failed deliveries."))
        positive = (operator == "=") == value
        return [
            ("delivery_ids.state", "in" if positive else "not in", UNDELIVERED),
        ]

    def _delivery_category(self):
        return self.category_id

    def _delivery_is_urgent(self):
        return self.urgency == "urgent"

    def _delivery_link_vals(self):
        return {"message_id": self.id, "kind": "message"}

    def action_submit(self):
        """Hand the recado over for delivery to the client's recipients."""
        not_draft = self.filtered(lambda message: message.state != "draft")
        if not_draft:
            raise UserError(
                _(
                    "Only draft recados can be sent: %(names)s.",
                    names=", ".join(not_draft.mapped("name")),
                )
            )
        self.write({"state": "to_deliver"})
        for message in self:
            if not message._enqueue_deliveries():
                message.message_post(
                    body=_(
                        "No recipient of %(client)s receives this category of "
                        "recado: nothing was sent. Add a recipient on the client.",
                        client=message.partner_id.name,
                    )
                )
        return True

    def action_acknowledge(self):
        self.filtered(lambda m: m.state in ("to_deliver", "delivered")).write(
            {"state": "acknowledged"}
        )
        return True

    def action_cancel(self):
        done = self.filtered(lambda m: m.state in ("delivered", "acknowledged"))
        if done:
            raise UserError(
                _(
                    "A delivered recado cannot be cancelled: %(names)s.",
                    names=", ".join(done.mapped("name")),
                )
            )
        self.delivery_ids.filtered(lambda d: d.state == "queued").sudo().write(
            {"state": "cancelled"}
        )
        self.write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        self.filtered(lambda m: m.state == "cancelled").write({"state": "draft"})
        return True

    def _update_delivery_state(self):
        """A recado is delivered once every one of its deliveries is sent."""
        for message in self.filtered(lambda m: m.state == "to_deliver"):
            states = set(message.delivery_ids.mapped("state")) - {"cancelled"}
            if states == {"sent"}:
                message.state = "delivered"

    def action_view_deliveries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_message.action_callgest_delivery"
        )
        action["domain"] = [("message_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Client portal
    # ------------------------------------------------------------------
    def _callgest_portal_mark_read(self, partner):
        """``partner`` (the client's contact) read the recado: who and when
        are kept, and tracked as his; a recado already read keeps its first
        reading."""
        unread = self.filtered(lambda message: not message.client_read_date)
        unread._track_set_author(partner)
        unread.write(
            {
                "client_read_date": fields.Datetime.now(),
                "client_read_partner_id": partner.id,
            }
        )
        return True

    def _callgest_portal_mark_unread(self, partner):
        read = self.filtered("client_read_date")
        read._track_set_author(partner)
        read.write({"client_read_date": False, "client_read_partner_id": False})
        return True
