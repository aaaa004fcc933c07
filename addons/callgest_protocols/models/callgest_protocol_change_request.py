import re
import secrets
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import consteq, email_normalize, html2plaintext, plaintext2html

# A client code in the subject of an email, e.g. "[101] New on-call number".
SUBJECT_CLIENT_CODE = re.compile(r"\[\s*(\d{2,8})\s*\]")
# How long the authorized contact has to confirm an emailed request
CONFIRMATION_HOURS = 72

# The states of a request still waiting for the service
OPEN_STATES = ("received", "to_confirm", "draft_created")
# System parameter: how many open requests a client may make on the portal a day
PORTAL_DAILY_LIMIT_PARAM = "callgest_protocols.portal_daily_request_limit"
PORTAL_DAILY_LIMIT_DEFAULT = 5

# The part of the protocol a request is about (optional)
CHANGE_REQUEST_SECTIONS = [
    ("greeting", "Greeting"),
    ("hours", "Hours"),
    ("transfers", "Transfer cascade"),
    ("instructions", "Instructions"),
    ("caller_lists", "Caller lists"),
    ("out_of_hours", "Out of hours"),
    ("other", "Other"),
]

CHANGE_REQUEST_STATES = [
    ("received", "Received"),
    ("to_confirm", "Waiting for the sender's confirmation"),
    ("draft_created", "Draft created"),
    ("done", "Done"),
    ("refused", "Refused"),
]


class CallgestProtocolChangeRequest(models.Model):
    """A protocol change asked for in writing, by email to the alias.

    Only the contacts of a client allowed to request changes are heard. As
    the From header of an email proves nothing, the contact first confirms
    the request through a link sent to the address on file (tokenized,
    expiring); only then does it become a draft version for a supervisor to
    approve. Any other sender is refused politely, without naming the client
    behind a code, and the request stays as the log of it.
    """

    _name = "callgest.protocol.change.request"
    _description = "CallGest protocol change request"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "subject"
    _check_company_auto = True

    subject = fields.Char(tracking=True)
    body = fields.Html(sanitize=True)
    client_id = fields.Many2one(
        "res.partner",
        index=True,
        tracking=True,
        ondelete="set null",
        domain=[("is_callgest_client", "=", True)],
    )
    protocol_id = fields.Many2one("callgest.protocol", index=True, ondelete="set null")
    requester_email = fields.Char(string="Requested by (email)", tracking=True)
    requester_partner_id = fields.Many2one(
        "res.partner", string="Requested by", ondelete="set null"
    )
    authorized_contact_id = fields.Many2one(
        "callgest.authorized.contact",
        string="Authorized contact",
        ondelete="set null",
    )
    origin = fields.Selection(
        [("email", "Email"), ("portal", "Portal")],
        default="email",
        required=True,
        readonly=True,
        help="Emailed requests are confirmed by the sender; a request made on "
        "the portal comes from a logged-in authorized contact.",
    )
    portal_user_id = fields.Many2one(
        "res.users",
        string="Made on the portal by",
        readonly=True,
        ondelete="set null",
    )
    section = fields.Selection(
        CHANGE_REQUEST_SECTIONS, help="The part of the protocol to change."
    )
    state = fields.Selection(
        CHANGE_REQUEST_STATES,
        default="received",
        required=True,
        tracking=True,
        index=True,
    )
    draft_version_id = fields.Many2one(
        "callgest.protocol.version",
        string="Draft version",
        ondelete="set null",
        copy=False,
        tracking=True,
    )
    refusal_reason = fields.Text(
        tracking=True, help="Why the request was refused, for the supervisors."
    )
    sender_notice = fields.Text(
        compute="_compute_sender_notice",
        help="What the refusal email tells the sender, in the sender's language: "
        "it never names a client.",
    )
    confirmation_token = fields.Char(copy=False, groups="base.group_system")
    confirmation_deadline = fields.Datetime(
        string="Confirm before", copy=False, readonly=True
    )
    confirmation_email = fields.Char(
        string="Confirmation asked of",
        copy=False,
        readonly=True,
        help="The authorized contact's address on file, where the confirmation "
        "link was sent (not the From header of the request).",
    )
    confirmed_at = fields.Datetime(
        string="Confirmed by the sender on", copy=False, readonly=True, tracking=True
    )
    confirmation_status = fields.Selection(
        [
            ("not_needed", "Not needed"),
            ("pending", "Waiting"),
            ("expired", "Expired"),
            ("confirmed", "Confirmed"),
        ],
        compute="_compute_confirmation_status",
        help="Emailed requests are confirmed by the authorized contact before a "
        "draft is created; other requests were never asked to be confirmed.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
    )
    lang = fields.Char(
        compute="_compute_lang",
        help="The language of the answers to the sender: the sender's known "
        "language, else the company's.",
    )

    @api.depends("requester_partner_id.lang", "company_id.partner_id.lang")
    def _compute_lang(self):
        for request in self:
            request.lang = (
                request.requester_partner_id.lang
                or request.company_id.partner_id.lang
                or self.env.company.partner_id.lang
                or "en_US"
            )

    @api.depends("requester_email")
    @api.depends_context("lang")
    def _compute_sender_notice(self):
        for request in self:
            request.sender_notice = _(
                "%(email)s is not a contact authorized to request protocol changes "
                "for the client of this request.",
                email=request.requester_email or _("The sender"),
            )

    @api.depends("confirmed_at", "confirmation_deadline")
    def _compute_confirmation_status(self):
        now = fields.Datetime.now()
        for request in self:
            if request.confirmed_at:
                request.confirmation_status = "confirmed"
            elif not request.confirmation_deadline:
                request.confirmation_status = "not_needed"
            elif request.confirmation_deadline < now:
                request.confirmation_status = "expired"
            else:
                request.confirmation_status = "pending"

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def _find_client_of_email(self, email, subject):
        """``(client, authorization)`` of an incoming request.

        The client is the one the sender is authorized for (the client whose
        code is in the subject, when the sender is authorized for several),
        else the client whose code is in the subject, else none.
        """
        Partner = self.env["res.partner"].sudo()
        code_match = SUBJECT_CLIENT_CODE.search(subject or "")
        code_client = (
            Partner._callgest_find_client_by_code(code_match.group(1))
            if code_match
            else Partner.browse()
        )
        authorizations = self.env["callgest.authorized.contact"].sudo().browse()
        if email:
            authorizations = authorizations.search(
                [
                    ("partner_id.email_normalized", "=", email),
                    ("can_request_changes", "=", True),
                ]
            )
        if code_client:
            matching = authorizations.filtered(
                lambda auth: auth.client_id == code_client.commercial_partner_id
            )
            if matching or not authorizations:
                return code_client, matching[:1]
        if authorizations:
            return authorizations[0].client_id, authorizations[0]
        return Partner.browse(), authorizations

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A request from an incoming email; never raises for a sender."""
        email_from = msg_dict.get("email_from") or ""
        email = email_normalize(email_from) or False
        subject = msg_dict.get("subject") or ""
        client, authorization = self._find_client_of_email(email, subject)
        if client and email and not authorization:
            authorization = (
                self.env["callgest.authorized.contact"]
                .sudo()
                ._find_authorized(client, email=email, purpose="changes")
            )
        partner = authorization.partner_id
        if not partner and msg_dict.get("author_id"):
            partner = self.env["res.partner"].sudo().browse(msg_dict["author_id"])
        values = dict(custom_values or {})
        values.update(
            {
                "subject": subject or _("(no subject)"),
                "body": msg_dict.get("body") or False,
                "requester_email": email or email_from or False,
                "requester_partner_id": partner.exists().id or False,
                "client_id": client.id or False,
                "authorized_contact_id": authorization.id or False,
                "company_id": client.company_id.id or self.env.company.id,
            }
        )
        request = super().message_new(msg_dict, custom_values=values)
        if authorization:
            request._ask_confirmation()
        else:
            request._refuse(request._unauthorized_reason())
        return request

    # ------------------------------------------------------------------
    # Confirmation by the authorized contact, at the address on file
    # ------------------------------------------------------------------
    def _ask_confirmation(self):
        """Email the authorized contact a link to confirm the request."""
        template = self.env.ref(
            "callgest_protocols.mail_template_change_request_confirm"
        )
        for request in self:
            address = request.authorized_contact_id.partner_id.email
            if not address:
                request._refuse(
                    _("The authorized contact has no email address on file."),
                )
                continue
            request.sudo().write(
                {
                    "state": "to_confirm",
                    "confirmation_token": secrets.token_urlsafe(32),
                    "confirmation_deadline": fields.Datetime.now()
                    + timedelta(hours=CONFIRMATION_HOURS),
                    "confirmation_email": address,
                }
            )
            # not linked to the request: its chatter, which supervisors and
            # secretaries read, must not hold the link that confirms it
            template.sudo().send_mail(
                request.id,
                force_send=False,
                email_values={"model": False, "res_id": False},
            )

    def _confirmation_url(self):
        self.ensure_one()
        return (
            f"{self.get_base_url()}/callgest/protocol-change/{self.id}/confirm"
            f"?token={self.sudo().confirmation_token}"
        )

    @api.model
    def _from_confirmation_token(self, request_id, token):
        """The request a confirmation link stands for, or an empty recordset."""
        request = self.sudo().browse(request_id).exists()
        if (
            not request
            or not token
            or not request.confirmation_token
            # bytes: compare_digest refuses non-ASCII text (a crafted link)
            or not consteq(str(token).encode(), request.confirmation_token.encode())
        ):
            return self.browse()
        return request

    def _confirm_by_sender(self):
        """The authorized contact confirmed: the draft version is created."""
        self.ensure_one()
        if self.confirmation_status == "confirmed":
            return
        if self.state != "to_confirm":
            raise UserError(_("This change request is no longer waiting for you."))
        if self.confirmation_status == "expired":
            raise UserError(
                _("This confirmation link has expired: please send the request again.")
            )
        self.write({"confirmed_at": fields.Datetime.now()})
        self._create_draft_version()
        self.message_post(
            body=_(
                "Confirmed by %(email)s, the authorized contact's address on file.",
                email=self.confirmation_email,
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Portal: a logged-in authorized contact asks for a change
    # ------------------------------------------------------------------
    @api.model
    def _portal_daily_limit(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(PORTAL_DAILY_LIMIT_PARAM, PORTAL_DAILY_LIMIT_DEFAULT)
        )
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            return PORTAL_DAILY_LIMIT_DEFAULT

    @api.model
    def _create_from_portal(self, client, authorization, text, section=False):
        """A change request of ``client`` made on the portal by the current
        user, the authorized contact ``authorization`` (checked by the
        caller). Logged in, the contact needs no email confirmation: the
        draft version is created at once and the supervisors are told to
        approve it.

        :raise ValidationError: for an empty text, an unknown section or a
            client over its daily limit of open requests; nothing is created.
        """
        user = self.env.user
        text = (text or "").strip()
        if not text:
            raise ValidationError(_("Write what should change in the protocol."))
        if section and section not in dict(CHANGE_REQUEST_SECTIONS):
            raise ValidationError(_("Choose a part of the protocol from the list."))
        Request = self.sudo()
        limit = self._portal_daily_limit()
        today = Request.search_count(
            [
                ("client_id", "=", client.id),
                ("origin", "=", "portal"),
                ("state", "in", OPEN_STATES),
                ("create_date", ">=", fields.Datetime.now() - timedelta(days=1)),
            ]
        )
        if today >= limit:
            raise ValidationError(
                _(
                    "%(client)s already has %(count)s open change requests made "
                    "in the last 24 hours: wait until the service handles them, "
                    "or write all your changes in one request.",
                    client=client.name,
                    count=today,
                )
            )
        sections = dict(self._fields["section"]._description_selection(self.env))
        partner = authorization.partner_id
        first_line = text.splitlines()[0]
        subject = first_line if len(first_line) <= 80 else first_line[:77] + "..."
        if section:
            subject = f"{sections[section]}: {subject}"
        request = Request.with_context(mail_create_nolog=True).create(
            {
                "subject": subject,
                "body": plaintext2html(text),
                "section": section or False,
                "origin": "portal",
                "portal_user_id": user.id,
                "requester_email": partner.email or False,
                "requester_partner_id": partner.id,
                "client_id": client.id,
                "authorized_contact_id": authorization.id,
                "company_id": client.company_id.id or self.env.company.id,
            }
        )
        request.message_post(
            body=_(
                "Requested on the portal by %(user)s (%(login)s), logged in as an "
                "authorized contact of %(client)s: no email confirmation needed.",
                user=partner.name,
                login=user.login,
                client=client.name,
            ),
            author_id=partner.id,
            subtype_xmlid="mail.mt_note",
        )
        request._create_draft_version()
        request._notify_supervisors()
        return request

    def _notify_supervisors(self):
        """Tell the CallGest supervisors of the request's company (their inbox
        or email, as each prefers) that a draft waits for their approval."""
        group = self.env.ref("callgest_base.group_callgest_supervisor")
        for request in self:
            supervisors = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("groups_id", "in", group.ids),
                        ("share", "=", False),
                        ("company_ids", "in", request.company_id.ids),
                    ]
                )
            )
            request.sudo().message_post(
                body=_(
                    "A protocol change was requested on the portal: review the "
                    "draft version %(draft)s and approve it.",
                    draft=request.draft_version_id.display_name,
                ),
                partner_ids=supervisors.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _unauthorized_reason(self):
        self.ensure_one()
        if not self.client_id:
            return _(
                "The client could not be identified: %(email)s is not a contact "
                "authorized to request protocol changes, and the subject has no "
                "known client code such as [101].",
                email=self.requester_email or _("the sender"),
            )
        return _(
            "%(email)s is not authorized to request protocol changes for %(client)s.",
            email=self.requester_email or _("The sender"),
            client=self.client_id.name,
        )

    def _client_protocol(self):
        """The client-wide protocol of the request's client, created if missing."""
        self.ensure_one()
        Protocol = self.env["callgest.protocol"].sudo().with_context(active_test=False)
        protocol = Protocol.search(
            [("partner_id", "=", self.client_id.id), ("ddi_id", "=", False)], limit=1
        )
        if not protocol:
            protocol = Protocol.create({"partner_id": self.client_id.id})
        return protocol

    def _create_draft_version(self):
        """A draft version of the client's protocol proposing the request."""
        self.ensure_one()
        protocol = self._client_protocol()
        action = protocol.action_new_draft()
        draft = self.env["callgest.protocol.version"].sudo().browse(action["res_id"])
        text = html2plaintext(self.body or "").strip()
        draft.change_summary = _(
            "Requested by %(email)s: %(subject)s\n\n%(text)s",
            email=self.requester_email or self.requester_partner_id.name,
            subject=self.subject,
            text=text,
        ).strip()
        self.write(
            {
                "protocol_id": protocol.id,
                "draft_version_id": draft.id,
                "state": "draft_created",
            }
        )
        draft.message_post(
            body=Markup("%s<br/>%s")
            % (
                _(
                    "Draft created from the written change request of %(email)s.",
                    email=self.requester_email or self.requester_partner_id.name,
                ),
                self._get_html_link(),
            )
            + (self.body or Markup()),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _refuse(self, reason):
        """Refuse the request, and tell the sender politely (queued), without
        naming the client: the code in a subject tells a stranger nothing."""
        for request in self:
            request.write({"state": "refused", "refusal_reason": reason})
            if request.requester_email:
                template = self.env.ref(
                    "callgest_protocols.mail_template_change_request_refused",
                    raise_if_not_found=False,
                )
                if template:
                    template.sudo().send_mail(request.id, force_send=False)

    def action_open_draft_version(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "callgest.protocol.version",
            "res_id": self.draft_version_id.id,
            "view_mode": "form",
            "target": "current",
        }


class CallgestProtocolVersion(models.Model):
    _inherit = "callgest.protocol.version"

    change_request_ids = fields.One2many(
        "callgest.protocol.change.request",
        "draft_version_id",
        string="Change requests",
    )

    def action_approve(self):
        result = super().action_approve()
        self.sudo().change_request_ids.filtered(
            lambda request: request.state == "draft_created"
        ).write({"state": "done"})
        return result
