from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.job import Job

from .common import CallgestMessageCommon, delivery_jobs


@tagged("post_install", "-at_install")
class TestDelivery(CallgestMessageCommon):
    def test_urgent_recado_goes_out_at_once_on_every_channel(self):
        message = self.take_message(
            urgency="urgent", category_id=self.category_order.id
        )
        message.action_submit()
        deliveries = message.sudo().delivery_ids
        self.assertEqual(
            sorted(deliveries.mapped("channel")), ["email", "sms", "telegram"]
        )
        self.assertFalse(any(deliveries.mapped("is_digest")))
        self.send_due()
        self.assertEqual(set(deliveries.mapped("state")), {"sent"})
        self.assertEqual(message.state, "delivered")
        # email: in Odoo's outgoing mail queue, to the recipient, in Spanish
        mail = deliveries.filtered(lambda d: d.channel == "email").mail_id
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.email_to, "boss@clinic.example.com")
        self.assertIn("Joan Garcia", mail.body_html)
        # SMS and Telegram: real requests to the local provider
        paths = sorted(request["path"] for request in self.server.requests)
        self.assertEqual(paths, ["/bot42:TEST/sendMessage", "/sms"])
        sms = next(r for r in self.server.requests if r["path"] == "/sms")
        self.assertIn('"to": "+34627561091"', sms["body"])
        self.assertIn("Please call back", sms["body"])
        sms_delivery = deliveries.filtered(lambda d: d.channel == "sms")
        self.assertEqual(sms["headers"]["Idempotency-Key"], sms_delivery.send_key)
        key_format = rf"^callgest-delivery-{sms_delivery.id}-"
        self.assertRegex(sms_delivery.send_key, key_format)
        telegram = deliveries.filtered(lambda d: d.channel == "telegram")
        self.assertTrue(telegram.provider_message_id)

    def test_normal_recado_waits_for_the_digest(self):
        first = self.take_message(body="first")
        second = self.take_message(body="second", caller_name="Maria")
        (first | second).action_submit()
        digest = (first | second).sudo().delivery_ids
        self.assertEqual(
            len(digest), 2, "only the email recipient wants normal recados"
        )
        self.assertTrue(all(digest.mapped("is_digest")))
        self.assertEqual(self.send_due(), 0, "nothing is due before the digest time")
        self.make_due(digest)
        self.assertEqual(self.send_due(), 1, "one digest for the recipient")
        self.assertEqual(set(digest.mapped("state")), {"sent"})
        self.assertEqual(len(digest.mail_id), 1, "a digest is one email")
        self.assertIn("first", digest.mail_id.body_html)
        self.assertIn("second", digest.mail_id.body_html)
        self.assertEqual(
            len(digest.billable_event_id), 1, "a digest is one message to bill"
        )
        self.assertEqual((first | second).mapped("state"), ["delivered", "delivered"])

    def test_provider_down_retries_then_flags_and_nothing_vanishes(self):
        self.server.behaviour = "error"
        message = self.take_message(
            urgency="urgent", category_id=self.category_order.id
        )
        message.action_submit()
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        self.send_due()
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.attempts, 1)
        self.assertIn("500", sms.last_error)
        self.assertGreater(sms.next_attempt_at, sms.scheduled_at, "backoff")
        self.assertEqual(message.state, "to_deliver")
        for _attempt in range(2):
            self.make_due(sms | message.sudo().delivery_ids)
            self.send_due()
        self.assertEqual(sms.state, "failed")
        self.assertEqual(sms.attempts, 3)
        self.assertTrue(sms.needs_attention)
        self.assertEqual(message.state, "to_deliver", "the recado stays to deliver")
        self.assertTrue(message.delivery_failed)
        self.assertIn(
            "failed after 3 attempts",
            message.message_ids[0].body,
            "flagged on the recado",
        )
        self.assertIn(sms, self.Delivery.search([("needs_attention", "=", True)]))
        # the provider is back: a supervisor retries, it goes out once
        self.server.behaviour = "ok"
        self.server.requests.clear()
        failed = message.sudo().delivery_ids.filtered(lambda d: d.state == "failed")
        self.assertEqual(sorted(failed.mapped("channel")), ["sms", "telegram"])
        failed.with_user(self.supervisor).action_retry()
        self.send_due()
        self.assertEqual(set(message.sudo().delivery_ids.mapped("state")), {"sent"})
        self.assertEqual(message.state, "delivered")
        self.assertEqual(
            sorted(r["path"] for r in self.server.requests),
            ["/bot42:TEST/sendMessage", "/sms"],
            "each goes out exactly once",
        )

    def test_retry_now_brings_the_waiting_retry_forward(self):
        self.server.behaviour = "error"
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        self.send_due()
        self.assertEqual(sms.state, "queued")
        self.assertEqual(self.send_due(), 0, "the retry waits for its time")
        self.server.behaviour = "ok"
        sms.with_user(self.supervisor).action_retry()
        self.assertEqual(len(delivery_jobs(self.env, due_only=False)), 1, "one job")
        self.assertEqual(self.send_due(), 1)
        self.assertEqual(sms.state, "sent")

    def test_slow_gateway_answer_is_in_doubt_and_retried_with_the_same_key(self):
        """(a) The gateway sends the SMS but answers 200 after the client's
        timeout: the delivery is in doubt, retried with the same key, and the
        gateway, deduplicating, has sent one SMS."""
        self.server.behaviour = "slow"
        self.server.slow_seconds = 1.5  # the client's timeout is 1 s
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        self.send_due()
        self.assertEqual(sms.state, "queued", "retried: the gateway deduplicates")
        self.assertEqual(sms.attempts, 1)
        self.assertIn("timeout", sms.last_error)
        self.assertIn("same idempotency key", sms.last_error)
        self.assertEqual(len(self.server.delivered), 1, "the gateway sent it")
        self.server.behaviour = "ok"
        self.make_due(sms)
        self.send_due()
        self.assertEqual(sms.state, "sent")
        self.assertEqual(sms.attempts, 2)
        keys = [r["headers"]["Idempotency-Key"] for r in self.server.requests]
        self.assertEqual(len(keys), 2)
        self.assertEqual(keys[0], keys[1], "the retry carries the same key")
        self.assertEqual(keys[0], sms.send_key)
        self.assertTrue(self.server.requests[1].get("duplicate"))
        self.assertEqual(len(self.server.delivered), 1, "one SMS reached the phone")
        self.assertEqual(sms.provider_message_id, "sms-1", "the first SMS's id")
        self.assertEqual(len(sms.billable_event_id), 1)
        self.assertEqual(message.state, "delivered")

    def test_telegram_in_doubt_is_flagged_not_resent(self):
        """(c) Telegram answers after the timeout: in doubt, flagged to the
        supervisors, and never sent again by itself."""
        self.server.behaviour = "slow"
        self.server.slow_seconds = 1.5
        message = self.take_message(category_id=self.category_order.id)
        message.action_submit()
        telegram = message.sudo().delivery_ids.filtered(
            lambda d: d.channel == "telegram"
        )
        self.send_due()
        self.assertEqual(telegram.state, "in_doubt")
        self.assertTrue(telegram.needs_attention)
        self.assertIn("Mark as sent or Send again", telegram.last_error)
        self.assertIn("is in doubt", message.message_ids[0].body)
        self.assertTrue(message.delivery_failed)
        self.assertIn(
            telegram,
            self.Delivery.search([("state", "=", "in_doubt")]),
            "the In doubt filter finds it",
        )
        self.assertFalse(delivery_jobs(self.env, due_only=False), "no retry waits")
        self.server.behaviour = "ok"
        self.make_due(telegram)
        self.send_due()
        self.assertEqual(telegram.state, "in_doubt")
        self.assertEqual(len(self.server.requests), 1, "not sent a second time")
        # the supervisor checked with the client: it arrived
        telegram.with_user(self.supervisor).action_mark_sent()
        self.assertEqual(telegram.state, "sent")
        self.assertFalse(telegram.needs_attention)
        self.assertEqual(len(telegram.billable_event_id), 1)
        self.assertEqual(len(self.server.requests), 1)

    def test_telegram_in_doubt_sent_again_by_the_supervisor(self):
        self.server.behaviour = "drop"  # got the request, closed without answer
        message = self.take_message(category_id=self.category_order.id)
        message.action_submit()
        telegram = message.sudo().delivery_ids.filtered(
            lambda d: d.channel == "telegram"
        )
        self.send_due()
        self.assertEqual(telegram.state, "in_doubt")
        self.server.behaviour = "ok"
        telegram.with_user(self.supervisor).action_retry()
        self.send_due()
        self.assertEqual(telegram.state, "sent")
        self.assertEqual(len(self.server.requests), 2, "sent again, as asked")

    def test_refused_connection_is_retried_even_on_telegram(self):
        """Nothing reached the provider (connection refused): not in doubt."""
        self.env["ir.config_parameter"].sudo().set_param(
            "callgest_message.telegram_base_url", "http://127.0.0.1:9"
        )
        message = self.take_message(category_id=self.category_order.id)
        message.action_submit()
        telegram = message.sudo().delivery_ids.filtered(
            lambda d: d.channel == "telegram"
        )
        self.send_due()
        self.assertEqual(telegram.state, "queued")
        self.assertIn("connection failed", telegram.last_error)

    def test_interrupted_attempt_sms_resent_with_same_key_telegram_flagged(self):
        """A worker died after the provider got the message and before the
        outcome was committed (the attempt left ``sending``): the job, run
        again, sends the SMS again with the same key and flags Telegram."""
        message = self.take_message(
            urgency="urgent", category_id=self.category_order.id
        )
        message.action_submit()
        deliveries = message.sudo().delivery_ids
        for delivery in deliveries:
            with delivery._committed_env() as env:
                self.assertIsNone(delivery.with_env(env).sudo()._begin_attempt())
            if delivery.channel != "email":
                delivery.sudo()._send_through_channel()  # then the worker dies
        self.assertEqual(set(deliveries.mapped("state")), {"sending"})
        self.assertEqual(len(self.server.delivered), 2)
        self.send_due()
        by_channel = {d.channel: d for d in deliveries}
        self.assertEqual(by_channel["email"].state, "sent")
        self.assertEqual(len(by_channel["email"].mail_id), 1, "one email queued")
        self.assertEqual(by_channel["sms"].state, "sent")
        self.assertEqual(by_channel["sms"].attempts, 2)
        self.assertEqual(by_channel["telegram"].state, "in_doubt")
        self.assertEqual(by_channel["telegram"].attempts, 1)
        self.assertIn("interrupted", by_channel["telegram"].last_error)
        self.assertEqual(
            sorted(r["path"] for r in self.server.requests),
            ["/bot42:TEST/sendMessage", "/sms", "/sms"],
            "Telegram not sent again, the SMS with its key",
        )
        self.assertEqual(len(self.server.delivered), 2, "one SMS, one Telegram")

    def test_a_job_run_twice_sends_once(self):
        """queue_job runs a job at least once: a second run of a job that
        already sent finds nothing to send."""
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        record = delivery_jobs(self.env).filtered(lambda j: j.records == sms)
        self.assertEqual(len(record), 1)
        self.assertEqual(record.channel, "root.callgest.delivery")
        self.assertEqual(record.identity_key, f"callgest.delivery.send:{sms.send_key}")
        self.send_due()
        self.assertEqual(record.state, "done")
        self.assertEqual(sms.state, "sent")
        for _run in range(2):
            result = Job.load(self.env, record.uuid).perform()
            self.assertIn("nothing left to send", result)
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(sms.attempts, 1)
        self.assertEqual(len(sms.billable_event_id), 1)

    def test_cron_enqueues_a_group_once(self):
        first = self.take_message(body="first")
        second = self.take_message(body="second")
        (first | second).action_submit()
        digest = (first | second).sudo().delivery_ids
        self.make_due(digest)
        self.assertEqual(self.Delivery._cron_enqueue_due(), 1)
        self.assertEqual(self.Delivery._cron_enqueue_due(), 1, "the same group")
        jobs = delivery_jobs(self.env)
        self.assertEqual(len(jobs), 1, "its waiting job is not doubled")
        self.assertEqual(jobs.records, digest)
        self.assertEqual(len(set(digest.mapped("send_key"))), 1)
        # an item due later does not join a group already keyed
        third = self.take_message(body="third")
        third.action_submit()
        self.make_due(third.sudo().delivery_ids)
        self.assertEqual(self.send_due(), 2)
        self.assertEqual(len(digest.mail_id), 1)
        self.assertEqual(len(third.sudo().delivery_ids.mail_id), 1)
        self.assertNotEqual(digest.mail_id, third.sudo().delivery_ids.mail_id)

    def test_a_refused_recipient_is_flagged_at_once(self):
        self.server.behaviour = "refuse"
        message = self.take_message(category_id=self.category_order.id)
        message.action_submit()
        telegram = message.sudo().delivery_ids.filtered(
            lambda d: d.channel == "telegram"
        )
        self.send_due()
        self.assertEqual(telegram.state, "failed")
        self.assertEqual(telegram.attempts, 1)
        self.assertIn("chat not found", telegram.last_error)

    def test_sent_is_never_sent_again(self):
        message = self.take_message(urgency="urgent")
        message.action_submit()
        self.send_due()
        self.assertEqual(len(self.server.requests), 1)
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        # another run, even with the row made "due" again, finds nothing to send
        self.make_due(sms)
        self.assertEqual(self.send_due(), 0)
        self.assertEqual(len(self.server.requests), 1)
        with self.assertRaises(UserError):
            sms.with_user(self.supervisor).action_retry()

    def test_a_job_finds_its_group_sent_meanwhile(self):
        """A job whose group another worker sent meanwhile sends nothing."""
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.sudo().delivery_ids.filtered(lambda d: d.channel == "sms")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE callgest_delivery SET state = 'sent' WHERE id = %s", [sms.id]
        )
        self.env.invalidate_all()
        self.send_due()
        self.assertFalse(
            [r for r in self.server.requests if r["path"] == "/sms"], "not resent"
        )

    def test_digest_run_interrupted_halfway_sends_the_rest_exactly_once(self):
        other = self.Recipient.create(
            {
                "partner_id": self.clinic.id,
                "channel": "sms",
                "address": "627 561 092",
                "mode": "digest",
                "digest_times": "18:00",
            }
        )
        messages = self.take_message(body="one") | self.take_message(body="two")
        messages.action_submit()
        pending = self.Delivery.search(
            [("state", "=", "queued"), ("message_id", "in", messages.ids)]
        )
        self.assertEqual(len(pending.recipient_id), 2)
        self.make_due(pending)
        # the runner stops after its first job (a crash right after a commit)
        self.assertEqual(self.send_due(limit=1), 1)
        self.assertEqual(
            len(pending.filtered(lambda d: d.state == "sent").recipient_id), 1
        )
        # the rerun sends the other group, once, and nothing twice
        self.assertEqual(self.send_due(), 1)
        self.assertEqual(set(pending.mapped("state")), {"sent"})
        self.assertEqual(self.send_due(), 0)
        sms_requests = [r for r in self.server.requests if r["path"] == "/sms"]
        self.assertEqual(len(sms_requests), 1)
        self.assertIn("one", sms_requests[0]["body"])
        self.assertIn("two", sms_requests[0]["body"])
        self.assertEqual(other.sudo().delivery_ids.mapped("state"), ["sent", "sent"])

    def test_billable_events(self):
        automatic = self.take_message(urgency="urgent")
        by_hand = self.take_message(urgency="urgent", written_by_hand=True)
        (automatic | by_hand).action_submit()
        self.send_due()
        events = (automatic | by_hand).sudo().delivery_ids.billable_event_id
        self.assertEqual(len(events), 4, "email and SMS for each recado")
        self.assertEqual(
            sorted(events.mapped("event_type")),
            ["message_auto", "message_auto", "message_manual", "message_manual"],
        )
        self.assertEqual(events.partner_id, self.clinic)

    def test_reports_use_the_same_engine(self):
        self.env.ref("callgest_message.category_report")
        deliveries = self.Delivery._enqueue_report(
            self.clinic, "report", "Missed calls of 2026-11-20", "<p>3 missed calls</p>"
        )
        self.assertEqual(deliveries.recipient_id, self.email_now)
        self.make_due(deliveries)
        self.send_due()
        self.assertEqual(deliveries.state, "sent")
        self.assertEqual(deliveries.mail_id.subject, "Missed calls of 2026-11-20")

    def test_no_recipient_is_said_on_the_recado(self):
        self.email_now.active = False
        message = self.take_message()
        message.action_submit()
        self.assertFalse(message.sudo().delivery_ids)
        self.assertIn("No recipient", message.message_ids[0].body)

    def test_rpc_creation_behaves_as_the_ui(self):
        """What the PBX or a script sends over RPC goes through the same code."""
        message_id = (
            self.Message.with_user(self.secretary)
            .create(
                [
                    {
                        "ddi_id": self.clinic_ddi.id,
                        "urgency": "urgent",
                        "caller_number": "0034600123456",
                        "body": "rpc",
                    }
                ]
            )
            .id
        )
        message = self.Message.browse(message_id)
        self.assertEqual(message.partner_id, self.clinic)
        self.assertEqual(message.caller_number_e164, "+34600123456")
        message.with_user(self.secretary).action_submit()
        self.assertEqual(
            sorted(message.sudo().delivery_ids.mapped("channel")), ["email", "sms"]
        )

    def test_email_in_the_recipients_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["res.lang"]._activate_lang("pt_PT")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_message"], ["es_ES", "pt_PT"], overwrite=True
        )
        lisbon = self.Recipient.create(
            {
                "partner_id": self.clinic.id,
                "channel": "email",
                "address": "lisboa@clinic.example.com",
                "lang": "pt_PT",
            }
        )
        message = self.take_message(urgency="urgent")
        message.action_submit()
        self.send_due()
        spanish = message.sudo().delivery_ids.filtered(
            lambda d: d.recipient_id == self.email_now
        )
        portuguese = message.sudo().delivery_ids.filtered(
            lambda d: d.recipient_id == lisbon
        )
        self.assertEqual(
            spanish.mail_id.subject, f"URGENTE: Recado de Joan Garcia ({message.name})"
        )
        self.assertIn("Se ha tomado un recado", spanish.mail_id.body_html)
        self.assertIn("Recado de Joan Garcia", portuguese.mail_id.subject)
        self.assertIn("Foi registado um recado", portuguese.mail_id.body_html)
