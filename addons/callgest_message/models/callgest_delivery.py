import logging

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL, html2plaintext

from ..tools import scheduling
from ..tools.providers import DeliveryError, HttpSmsGateway, TelegramBot

_logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5


class CallgestDelivery(models.Model):
    """One item (recado, incidencia, report) for one recipient on one channel.

    Deliveries are queued, then sent by the cron (woken at once for immediate
    ones). A digest sends all of a recipient's due items in one message.
    Failures are retried with backoff and flagged after the last attempt;
    nothing is dropped, and what was sent is never sent again.
    """

    _name = "callgest.delivery"
    _description = "CallGest delivery"
    _order = "id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [("message", "Recado"), ("incident", "Incidencia"), ("report", "Report")],
        required=True,
        default="message",
    )
    message_id = fields.Many2one(
        "callgest.message", string="Recado", index="btree_not_null", ondelete="cascade"
    )
    incident_id = fields.Many2one(
        "callgest.incident",
        string="Incidencia",
        index="btree_not_null",
        ondelete="cascade",
    )
    recipient_id = fields.Many2one(
        "callgest.recipient", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        related="recipient_id.partner_id", store=True, string="Client", index=True
    )
    company_id = fields.Many2one(related="recipient_id.company_id", store=True)
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("telegram", "Telegram")], required=True
    )
    address = fields.Char(required=True)
    subject = fields.Char(help="Subject of a report; recados use their template.")
    email_subject = fields.Char(
        compute="_compute_email_subject",
        help="The subject of the email, in the recipient's language.",
    )
    body_html = fields.Html(sanitize_style=True)
    is_digest = fields.Boolean(string="In digest", index=True)
    scheduled_at = fields.Datetime(required=True, default=fields.Datetime.now)
    next_attempt_at = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    needs_attention = fields.Boolean(
        index=True, help="Failed for good: a supervisor must act."
    )
    provider_message_id = fields.Char(string="Provider message id", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True)
    billable_event_id = fields.Many2one(
        "callgest.billable.event", readonly=True, index="btree_not_null"
    )

    _sql_constraints = [
        (
            "one_item",
            "CHECK(num_nonnulls(message_id, incident_id) <= 1)",
            "A delivery carries one recado or one incidencia.",
        ),
    ]

    @api.depends("kind", "message_id", "incident_id", "subject", "recipient_id")
    def _compute_display_name(self):
        for delivery in self:
            item = delivery.message_id or delivery.incident_id
            what = item.name if item else (delivery.subject or "")
            delivery.display_name = f"{what} → {delivery.recipient_id.name or ''}"

    @api.depends("kind", "subject", "recipient_id.lang")
    def _compute_email_subject(self):
        for delivery in self:
            translated = delivery.with_context(lang=delivery.recipient_id.lang)
            delivery.email_subject = translated._email_subject()

    def _email_subject(self):
        _ = self.env._
        if self.message_id:
            message = self.message_id
            subject = _(
                "Recado from %(caller)s (%(name)s)",
                caller=message.caller_name or message.caller_number or "",
                name=message.name,
            )
            if message.urgency == "urgent":
                subject = _("URGENT: %(subject)s", subject=subject)
            return subject
        if self.incident_id:
            incident = self.incident_id.with_env(self.env)
            priorities = dict(
                incident._fields["priority"]._description_selection(self.env)
            )
            return _(
                "Incident %(name)s: %(type)s (priority %(priority)s)",
                name=incident.name,
                type=incident.type_id.name or "",
                priority=priorities.get(incident.priority, ""),
            )
        return self.subject or ""

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------
    @api.model
    def _trigger_sender(self):
        cron = self.env.ref(
            "callgest_message.ir_cron_send_deliveries", raise_if_not_found=False
        )
        if cron:
            cron._trigger()

    @api.model
    def _enqueue_report(self, client, category_code, subject, body_html):
        """Queue a report (e.g. the daily missed calls) to a client's recipients.

        The entry point other addons use to reach clients through the same
        recipients, channels, digests, retries and billing as recados.
        """
        category = self.env["callgest.message.category"].search(
            [("code", "=", category_code)], limit=1
        )
        recipients = client.commercial_partner_id.callgest_recipient_ids.filtered(
            lambda r: r._wants(category, urgent=False)
        )
        deliveries = self.sudo().create(
            [
                {
                    "kind": "report",
                    "subject": subject,
                    "body_html": body_html,
                    **recipient._delivery_schedule_vals(urgent=False),
                }
                for recipient in recipients
            ]
        )
        if deliveries:
            self._trigger_sender()
        return deliveries

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _cron_send_due(self, max_groups=500):
        """Send what is due, one recipient group per transaction.

        Each group is locked with ``FOR UPDATE SKIP LOCKED`` (an overlapping run
        skips it), re-read after the lock (a group another run sent is not sent
        again) and committed right after sending, so a crash loses at most
        the group in flight and a rerun sends the rest exactly once.
        """
        auto_commit = not modules.module.current_test
        done = 0
        while done < max_groups:
            group = self._lock_next_due_group()
            if not group:
                break
            group._send_group()
            done += 1
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _lock_next_due_group(self):
        self.flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """SELECT id, recipient_id, is_digest FROM callgest_delivery
                    WHERE state = 'queued' AND next_attempt_at <= %s
                 ORDER BY next_attempt_at, id
                    LIMIT 1
                      FOR UPDATE SKIP LOCKED""",
                now,
            )
        )
        row = self.env.cr.fetchone()
        if not row:
            return self.browse()
        delivery_id, recipient_id, is_digest = row
        ids = [delivery_id]
        if is_digest:
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM callgest_delivery
                        WHERE state = 'queued' AND is_digest
                          AND recipient_id = %s AND next_attempt_at <= %s
                     ORDER BY id
                          FOR UPDATE SKIP LOCKED""",
                    recipient_id,
                    now,
                )
            )
            ids = sorted({delivery_id, *(r[0] for r in self.env.cr.fetchall())})
        group = self.browse(ids)
        group.invalidate_recordset()
        return group.filtered(lambda delivery: delivery.state == "queued")

    def _send_group(self):
        """Send one recipient's group; record success or failure on each."""
        if not self:
            return
        recipient = self.recipient_id
        recipient.ensure_one()
        try:
            with self.env.cr.savepoint():
                provider_id, mail = self._send_through_channel()
        except DeliveryError as error:
            self._record_failure(str(error), error.retryable)
            return
        except Exception as error:  # noqa: BLE001 - a bug must not lose the item
            _logger.exception("CallGest delivery %s failed unexpectedly", self.ids)
            self._record_failure(repr(error), retryable=True)
            return
        event = self.env["callgest.billable.event"].sudo()._record_sent(self)
        self.write(
            {
                "state": "sent",
                "sent_at": fields.Datetime.now(),
                "attempts": self[0].attempts + 1,
                "provider_message_id": provider_id,
                "mail_id": mail.id if mail else False,
                "last_error": False,
                "needs_attention": False,
                "billable_event_id": event.id,
            }
        )
        self.message_id._update_delivery_state()

    def _send_through_channel(self):
        recipient = self.recipient_id
        params = self.env["ir.config_parameter"].sudo()
        timeout = int(params.get_param("callgest_message.provider_timeout", 10))
        if self[0].channel == "email":
            mail = self._queue_email()
            return str(mail.id), mail
        text = self.with_context(lang=recipient.lang)._render_text()
        if self[0].channel == "telegram":
            bot = TelegramBot(
                params.get_param("callgest_message.telegram_bot_token"),
                params.get_param(
                    "callgest_message.telegram_base_url", "https://api.telegram.org"
                ),
                timeout=timeout,
            )
            return bot.send(self[0].address, text), None
        gateway = HttpSmsGateway(
            params.get_param("callgest_message.sms_url"),
            method=params.get_param("callgest_message.sms_method", "POST"),
            body_template=params.get_param("callgest_message.sms_body_template")
            or '{"to": "{to}", "text": "{text}", "from": "{sender}"}',
            content_type=params.get_param(
                "callgest_message.sms_content_type", "application/json"
            ),
            auth_type=params.get_param("callgest_message.sms_auth_type", "none"),
            username=params.get_param("callgest_message.sms_username", ""),
            secret=params.get_param("callgest_message.sms_secret", ""),
            sender=params.get_param("callgest_message.sms_sender", "CallGest"),
            timeout=timeout,
        )
        return gateway.send(self[0].address, text), None

    def _queue_email(self):
        """Put the email in Odoo's outgoing mail queue, in the recipient's language."""
        if len(self) > 1:
            template = self.env.ref("callgest_message.mail_template_digest")
            record = self.recipient_id
        else:
            template = self.env.ref(f"callgest_message.mail_template_{self.kind}")
            record = self
        mail_id = (
            template.sudo()
            .with_context(callgest_digest_delivery_ids=self.ids)
            .send_mail(
                record.id,
                force_send=False,
                email_values={"email_to": self[0].address, "recipient_ids": []},
            )
        )
        return self.env["mail.mail"].sudo().browse(mail_id)

    def _render_text(self):
        """The short text of an SMS or Telegram message, in the context language."""
        lines = [delivery._render_item_text() for delivery in self]
        if len(self) > 1:
            header = _(
                "%(client)s: %(count)s items",
                client=self.partner_id.name,
                count=len(self),
            )
            return "\n\n".join([header, *lines])
        return lines[0]

    def _render_item_text(self):
        self.ensure_one()
        if self.kind == "report":
            return f"{self.subject}\n{html2plaintext(self.body_html or '')}".strip()
        item = self.message_id or self.incident_id
        caller = " ".join(filter(None, [item.caller_name, item.caller_number]))
        if self.message_id:
            urgent = _("URGENT ") if item.urgency == "urgent" else ""
            title = _(
                "%(urgent)sRecado for %(client)s (%(category)s)",
                urgent=urgent,
                client=item.partner_id.name,
                category=item.category_id.with_context(lang=self.env.lang).name,
            )
            body = item.body or ""
        else:
            title = _(
                "Incidencia %(name)s for %(client)s, priority %(priority)s",
                name=item.name,
                client=item.partner_id.name,
                priority=dict(
                    item._fields["priority"]._description_selection(self.env)
                )[item.priority],
            )
            body = "\n".join(filter(None, [item.site, item.description]))
        caller_line = _("From: %(caller)s", caller=caller) if caller else ""
        return "\n".join(filter(None, [title, caller_line, body]))

    def _record_failure(self, error, retryable):
        max_attempts = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_message.max_attempts", DEFAULT_MAX_ATTEMPTS)
        )
        base_minutes = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("callgest_message.retry_minutes", 1)
        )
        now = fields.Datetime.now()
        for delivery in self:
            attempts = delivery.attempts + 1
            give_up = not retryable or attempts >= max_attempts
            delivery.write(
                {
                    "attempts": attempts,
                    "last_error": error,
                    "state": "failed" if give_up else "queued",
                    "needs_attention": give_up,
                    "next_attempt_at": now
                    if give_up
                    else now + scheduling.retry_delay(attempts, base_minutes),
                }
            )
            if give_up:
                delivery._flag_to_supervisors()

    def _flag_to_supervisors(self):
        item = self.message_id or self.incident_id
        if item:
            item.sudo().message_post(
                body=_(
                    "Delivery to %(recipient)s by %(channel)s failed after "
                    "%(attempts)s attempts: %(error)s. A supervisor must check it.",
                    recipient=self.recipient_id.name,
                    channel=self.channel,
                    attempts=self.attempts,
                    error=self.last_error,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------
    # Supervisor actions
    # ------------------------------------------------------------------
    def action_retry(self):
        sent = self.filtered(lambda delivery: delivery.state == "sent")
        if sent:
            raise UserError(_("A sent delivery is never sent again."))
        self.write(
            {
                "state": "queued",
                "attempts": 0,
                "needs_attention": False,
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        self._trigger_sender()
        return True

    def action_cancel(self):
        if self.filtered(lambda delivery: delivery.state == "sent"):
            raise UserError(_("A sent delivery cannot be cancelled."))
        self.write({"state": "cancelled", "needs_attention": False})
        self.message_id._update_delivery_state()
        return True
