import logging
import random
import time
from contextlib import contextmanager
from datetime import timedelta

from psycopg2 import OperationalError

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL, html2plaintext

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools import scheduling
from ..tools.providers import DeliveryError, HttpSmsGateway, TelegramBot

_logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
# pg_try_advisory_xact_lock(SENDING_LOCK, delivery id) is held by the
# transaction of the job sending the delivery (see _lock_for_sending)
SENDING_LOCK = 0x43474456
OUTCOME_TRIES = 5


class CallgestDelivery(models.Model):
    """One item (recado, incidencia, report) for one recipient on one channel.

    Deliveries are sent by queue_job jobs (channel root.callgest.delivery),
    one per group: enqueued at once for immediate ones, by the cron at their
    time for digests (all of a recipient's due items in one message).
    Failures are retried with backoff and flagged after the last attempt;
    nothing is dropped, and nothing is sent twice: each attempt is committed
    before it is sent, with the group's idempotency key (``send_key``), and
    an attempt interrupted while sending is sent again with the same key
    only where the channel deduplicates, else flagged ``in_doubt``.
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
            ("sending", "Sending"),
            ("in_doubt", "In doubt"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    attempt_at = fields.Datetime(string="Last attempt", readonly=True)
    send_key = fields.Char(
        string="Idempotency key",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Sent with every attempt of this delivery (and of its digest): "
        "the gateway sends one SMS per key.",
    )
    last_error = fields.Text(readonly=True)
    needs_attention = fields.Boolean(
        index=True, help="Failed for good, or in doubt: a supervisor must act."
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
    # Queueing: one queue_job job per group, identified by its send key
    # ------------------------------------------------------------------
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
        deliveries._enqueue_immediate()
        return deliveries

    def _enqueue_immediate(self):
        """Enqueue the jobs of new deliveries that go out at once; digests
        wait for the cron at their time."""
        now = fields.Datetime.now()
        self.filtered(
            lambda d: not d.is_digest and d.next_attempt_at <= now
        )._enqueue_jobs()

    @api.model
    def _cron_enqueue_due(self, limit=5000):
        """Enqueue a job for each group that is due (digests at the clients'
        local times, retries a supervisor asked for), and for each attempt
        left ``sending`` by a worker that died without its job being run
        again. A group that already has a waiting job gets no second one
        (its identity key); a job run twice sends once (see _send_job)."""
        self.flush_model()
        now = fields.Datetime.now()
        stale = now - timedelta(seconds=self._provider_timeout() + 120)
        self.env.cr.execute(
            SQL(
                """SELECT id FROM callgest_delivery
                    WHERE (state = 'queued' AND next_attempt_at <= %s)
                       OR (state = 'sending' AND attempt_at < %s)
                 ORDER BY id
                    LIMIT %s
                      FOR UPDATE SKIP LOCKED""",
                now,
                stale,
                limit,
            )
        )
        due = self.browse([row[0] for row in self.env.cr.fetchall()])
        return len(due._enqueue_jobs())

    def _group_for_sending(self):
        """The groups sent as one message: the deliveries already given a
        send key stay together; a recipient's due digest items make one
        group; any other delivery goes alone."""
        groups = {}
        for delivery in self.sorted("id"):
            if delivery.send_key:
                key = ("key", delivery.send_key)
            elif delivery.is_digest:
                key = ("digest", delivery.recipient_id.id)
            else:
                key = ("alone", delivery.id)
            groups[key] = groups.get(key, self.browse()) | delivery
        return list(groups.values())

    def _enqueue_jobs(self):
        """Fix each group's send key (its idempotency key, the same for every
        attempt) and enqueue one job per group; the enqueued groups."""
        groups = self.sudo()._group_for_sending()
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        now = fields.Datetime.now()
        for group in groups:
            if not group[0].send_key:
                group.write({"send_key": f"callgest-delivery-{group[0].id}-{dbuuid}"})
            key = group[0].send_key
            group |= self.sudo().search(
                [("send_key", "=", key), ("state", "in", ("queued", "sending"))]
            )
            eta = max(group.mapped("next_attempt_at"))
            eta = eta if eta > now else None
            identity_key = f"callgest.delivery.send:{key}"
            waiting = (
                self.env["queue.job"]
                .sudo()
                .search(
                    [("identity_key", "=", identity_key), ("state", "=", "pending")]
                )
            )
            if waiting:  # a retry waiting for its time: bring it forward
                if not eta or (waiting.eta and eta < waiting.eta):
                    waiting.eta = eta
                continue
            group.with_delay(
                eta=eta,
                max_retries=0,  # the delivery counts its attempts (max_attempts)
                identity_key=identity_key,
                description=_("Send %(what)s", what=group[0].display_name),
            )._send_job()
        return groups

    # ------------------------------------------------------------------
    # Sending: exactly once, whatever crashes and however often a job runs
    # ------------------------------------------------------------------
    @api.model
    def _provider_timeout(self):
        params = self.env["ir.config_parameter"].sudo()
        return float(params.get_param("callgest_message.provider_timeout", 10))

    @contextmanager
    def _committed_env(self):
        """An environment on a cursor of its own, committed when the block
        ends: what it writes is durable whatever happens to the job's
        transaction (and invisible to it: re-read there, never in it)."""
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            yield self.env(cr=cr)
        self.env.invalidate_all()

    def _lock_for_sending(self):
        """Take the group's sending locks in the job's transaction, or say
        another transaction holds them (it is sending the group now).

        Held until the job's transaction ends: an attempt committed as
        ``sending`` whose lock is free was interrupted (killed, crashed)."""
        self.env.cr.execute(
            SQL(
                "SELECT bool_and(pg_try_advisory_xact_lock(%s, id))"
                " FROM unnest(%s::int[]) AS id",
                SENDING_LOCK,
                sorted(self.ids),
            )
        )
        return bool(self.env.cr.fetchone()[0])

    def _send_job(self):
        """The queue_job job sending one group (a delivery, or a recipient's
        digest): once, even if the job runs twice or its worker is killed.

        1. The group's sending locks are taken (a second run of the job
           while the first is sending stops here).
        2. The attempt is committed on its own cursor (``sending``, count
           and time) before anything goes out.
        3. The provider is called with the group's send key.
        4. The outcome is committed on its own cursor.

        A run that finds the group ``sending`` knows the previous attempt was
        interrupted between 2 and 4: on a channel that deduplicates it sends
        again with the same key (email, SMS); on Telegram it flags the group
        ``in_doubt`` for a supervisor and sends nothing. A retryable failure
        raises RetryableJobError: queue_job runs the job again after the
        backoff.
        """
        group = self.sudo()
        if not group._lock_for_sending():
            return "another worker is sending this group now"
        with group._committed_env() as env:
            skipped = group.with_env(env)._begin_attempt()
        if skipped:
            return skipped
        return group._attempt()

    def _attempt(self):
        """Send the group whose attempt is committed; commit the outcome."""
        failure = None
        if self[0].channel == "email":
            # the hand-over to Odoo's outgoing mail queue commits with the
            # outcome: an interrupted attempt left no email behind
            try:
                self._commit_outcome("_queue_email_and_record")
            except Exception as error:  # noqa: BLE001 - a bug must not lose the item
                _logger.exception("CallGest delivery %s: email not queued", self.ids)
                failure = DeliveryError(repr(error))
        else:
            try:
                provider_id = self._send_through_channel()
            except DeliveryError as error:
                failure = error
            except Exception as error:  # noqa: BLE001 - a bug must not lose the item
                _logger.exception("CallGest delivery %s failed unexpectedly", self.ids)
                failure = DeliveryError(repr(error), in_doubt=True)
            else:
                self._commit_outcome("_record_sent", provider_id, None)
        if failure is None:
            return "sent"
        retry_in = self._commit_outcome("_record_failure", failure)
        if retry_in:
            raise RetryableJobError(str(failure), seconds=retry_in)
        return f"not sent: {failure}"

    def _commit_outcome(self, method, *args):
        """Call ``method`` on the group on a cursor of its own and commit it;
        again on a serialization failure (two jobs recording the outcomes of
        one recado's deliveries at once, see _serialize_on_items). What was
        sent is known: writing it again is safe, unlike sending it again."""
        for tries in range(OUTCOME_TRIES):
            try:
                with self._committed_env() as env:
                    return getattr(self.with_env(env), method)(*args)
            except OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                if tries == OUTCOME_TRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2**tries))

    def _queue_email_and_record(self):
        """Email: the hand-over to Odoo's outgoing mail queue and the outcome
        commit together, so an interrupted attempt left no email behind."""
        mail = self._queue_email()
        self._record_sent(str(mail.id), mail)

    def _serialize_on_items(self):
        """Touch the recados' rows, first, in the transaction recording an
        outcome: of two such transactions on deliveries of the same recado,
        the second fails to serialize and is run again (_commit_outcome), so
        it reads the first one's outcome when it computes the recado's
        state from all its deliveries."""
        if self.message_id:
            self.env.cr.execute(
                SQL(
                    "UPDATE callgest_message SET state = state WHERE id IN %s",
                    tuple(self.message_id.ids),
                )
            )

    def _begin_attempt(self):
        """Commit the attempt about to be made; or why nothing is sent."""
        self.env.cr.execute(
            SQL(
                "SELECT id FROM callgest_delivery WHERE id IN %s FOR UPDATE",
                tuple(self.ids),
            )
        )
        todo = self.filtered(lambda d: d.state in ("queued", "sending"))
        if not todo:
            return "nothing left to send: " + ", ".join(set(self.mapped("state")))
        interrupted = todo.filtered(lambda d: d.state == "sending")
        if interrupted and not todo._deduplicates():
            todo._set_in_doubt(
                _(
                    "The previous attempt was interrupted after it was sent to "
                    "the provider and before its answer was recorded."
                )
            )
            return "in doubt: flagged to supervisors"
        todo.write(
            {
                "state": "sending",
                "attempts": todo[0].attempts + 1,
                "attempt_at": fields.Datetime.now(),
            }
        )
        return None

    def _deduplicates(self):
        """Whether sending this group again cannot deliver it twice: email
        (its hand-over commits with its outcome) and SMS (the gateway
        deduplicates on the send key). Not Telegram: its Bot API has no
        idempotency key."""
        return self[0].channel in ("email", "sms")

    def _record_sent(self, provider_id, mail):
        self._serialize_on_items()
        event = self.env["callgest.billable.event"].sudo()._record_sent(self)
        self.write(
            {
                "state": "sent",
                "sent_at": fields.Datetime.now(),
                "provider_message_id": provider_id,
                "mail_id": mail.id if mail else False,
                "last_error": False,
                "needs_attention": False,
                "billable_event_id": event.id,
            }
        )
        self.message_id._update_delivery_state()

    @api.model
    def _sms_gateway(self):
        """The SMS gateway of the settings (also used by other addons' SMS,
        such as the agenda's reminders)."""
        params = self.env["ir.config_parameter"].sudo()
        return HttpSmsGateway(
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
            timeout=self._provider_timeout(),
        )

    def _send_through_channel(self):
        """Send an SMS or Telegram group; the provider's message id."""
        recipient = self.recipient_id
        params = self.env["ir.config_parameter"].sudo()
        timeout = self._provider_timeout()
        text = self.with_context(lang=recipient.lang)._render_text()
        if self[0].channel == "telegram":
            bot = TelegramBot(
                params.get_param("callgest_message.telegram_bot_token"),
                params.get_param(
                    "callgest_message.telegram_base_url", "https://api.telegram.org"
                ),
                timeout=timeout,
            )
            return bot.send(self[0].address, text)
        return self._sms_gateway().send(
            self[0].address, text, idempotency_key=self[0].send_key
        )

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

    def _record_failure(self, error):
        """Record a failed attempt of the group; the seconds until it is
        tried again, or 0 when it is not (failed for good, or in doubt on a
        channel that cannot deduplicate)."""
        if error.in_doubt and not self._deduplicates():
            self._set_in_doubt(
                _(
                    "The provider did not answer (%(error)s) after the message "
                    "was sent to it.",
                    error=str(error),
                )
            )
            return 0
        params = self.env["ir.config_parameter"].sudo()
        max_attempts = int(
            params.get_param("callgest_message.max_attempts", DEFAULT_MAX_ATTEMPTS)
        )
        base_minutes = int(params.get_param("callgest_message.retry_minutes", 1))
        attempts = self[0].attempts
        give_up = not error.retryable or attempts >= max_attempts
        message = str(error)
        if error.in_doubt:
            message = _(
                "%(error)s. The gateway may have sent it: it is retried with "
                "the same idempotency key, which the gateway sends once.",
                error=message,
            )
        delay = scheduling.retry_delay(attempts, base_minutes)
        now = fields.Datetime.now()
        self.write(
            {
                "last_error": message,
                "state": "failed" if give_up else "queued",
                "needs_attention": give_up,
                "next_attempt_at": now if give_up else now + delay,
            }
        )
        if give_up:
            for delivery in self:
                delivery._flag_to_supervisors()
            return 0
        return int(delay.total_seconds())

    def _set_in_doubt(self, reason):
        """Flag a group that may or may not have been delivered, on a
        channel where sending it again could deliver it twice."""
        self._serialize_on_items()
        reason = _(
            "%(reason)s It may have been delivered, and %(channel)s cannot tell "
            "a repeat: it is not sent again by itself. Check with the "
            "recipient, then press Mark as sent or Send again.",
            reason=reason,
            channel=dict(self._fields["channel"]._description_selection(self.env))[
                self[0].channel
            ],
        )
        self.write({"state": "in_doubt", "needs_attention": True, "last_error": reason})
        for delivery in self:
            delivery._flag_to_supervisors(
                _(
                    "Delivery to %(recipient)s is in doubt: %(reason)s",
                    recipient=delivery.recipient_id.name,
                    reason=reason,
                )
            )
        self.message_id._update_delivery_state()

    def _flag_to_supervisors(self, body=None):
        item = self.message_id or self.incident_id
        if item:
            item.sudo().message_post(
                body=body
                or _(
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
    def _whole_groups(self):
        """The selection with the rest of each group it touches: a digest is
        retried, cancelled or marked as a whole (one message, one key)."""
        keys = [key for key in self.mapped("send_key") if key]
        return self | (self.search([("send_key", "in", keys)]) if keys else self)

    def action_retry(self):
        """Retry now, or Send again an in-doubt delivery (the supervisor
        checked it did not arrive): with the same send key."""
        deliveries = self._whole_groups()
        if deliveries.filtered(lambda delivery: delivery.state == "sent"):
            raise UserError(_("A sent delivery is never sent again."))
        if deliveries.filtered(lambda delivery: delivery.state == "sending"):
            raise UserError(_("This delivery is being sent right now."))
        deliveries = deliveries.filtered(lambda d: d.state != "cancelled")
        deliveries.write(
            {
                "state": "queued",
                "attempts": 0,
                "needs_attention": False,
                "next_attempt_at": fields.Datetime.now(),
            }
        )
        deliveries._enqueue_jobs()
        return True

    def action_mark_sent(self):
        """The supervisor checked that an in-doubt (or failed) delivery
        arrived: record it as sent, and billed, without sending it again."""
        deliveries = self._whole_groups()
        if deliveries.filtered(lambda d: d.state not in ("in_doubt", "failed")):
            raise UserError(
                _("Only a delivery in doubt or failed can be marked as sent.")
            )
        for group in deliveries._group_for_sending():
            group.sudo()._record_sent(group[0].provider_message_id, None)
            group.sudo().last_error = _(
                "Marked as sent by %(user)s.", user=self.env.user.name
            )
        return True

    def action_cancel(self):
        if self.filtered(lambda delivery: delivery.state in ("sent", "sending")):
            raise UserError(_("A sent delivery cannot be cancelled."))
        self.write({"state": "cancelled", "needs_attention": False})
        self.message_id._update_delivery_state()
        return True
