from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CallgestMessageCommon


@tagged("post_install", "-at_install")
class TestDelivery(CallgestMessageCommon):
    def test_urgent_recado_goes_out_at_once_on_every_channel(self):
        message = self.take_message(
            urgency="urgent", category_id=self.category_order.id
        )
        message.action_submit()
        deliveries = message.delivery_ids
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
        telegram = deliveries.filtered(lambda d: d.channel == "telegram")
        self.assertTrue(telegram.provider_message_id)

    def test_normal_recado_waits_for_the_digest(self):
        first = self.take_message(body="first")
        second = self.take_message(body="second", caller_name="Maria")
        (first | second).action_submit()
        digest = (first | second).delivery_ids
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
        sms = message.delivery_ids.filtered(lambda d: d.channel == "sms")
        self.send_due()
        self.assertEqual(sms.state, "queued")
        self.assertEqual(sms.attempts, 1)
        self.assertIn("500", sms.last_error)
        self.assertGreater(sms.next_attempt_at, sms.scheduled_at, "backoff")
        self.assertEqual(message.state, "to_deliver")
        for _attempt in range(2):
            self.make_due(sms | message.delivery_ids)
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
        failed = message.delivery_ids.filtered(lambda d: d.state == "failed")
        self.assertEqual(sorted(failed.mapped("channel")), ["sms", "telegram"])
        failed.with_user(self.supervisor).action_retry()
        self.send_due()
        self.assertEqual(set(message.delivery_ids.mapped("state")), {"sent"})
        self.assertEqual(message.state, "delivered")
        self.assertEqual(
            sorted(r["path"] for r in self.server.requests),
            ["/bot42:TEST/sendMessage", "/sms"],
            "each goes out exactly once",
        )

    def test_timeouts_are_retried(self):
        self.server.behaviour = "slow"
        # Odoo's test runner raises any request timeout below 10 s to 10 s
        self.server.slow_seconds = 11
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.delivery_ids.filtered(lambda d: d.channel == "sms")
        self.send_due()
        self.assertEqual(sms.state, "queued")
        self.assertIn("timeout", sms.last_error)

    def test_a_refused_recipient_is_flagged_at_once(self):
        self.server.behaviour = "refuse"
        message = self.take_message(category_id=self.category_order.id)
        message.action_submit()
        telegram = message.delivery_ids.filtered(lambda d: d.channel == "telegram")
        self.send_due()
        self.assertEqual(telegram.state, "failed")
        self.assertEqual(telegram.attempts, 1)
        self.assertIn("chat not found", telegram.last_error)

    def test_sent_is_never_sent_again(self):
        message = self.take_message(urgency="urgent")
        message.action_submit()
        self.send_due()
        self.assertEqual(len(self.server.requests), 1)
        sms = message.delivery_ids.filtered(lambda d: d.channel == "sms")
        # another run, even with the row made "due" again, finds nothing to send
        self.make_due(sms)
        self.assertEqual(self.send_due(), 0)
        self.assertEqual(len(self.server.requests), 1)
        with self.assertRaises(UserError):
            sms.with_user(self.supervisor).action_retry()

    def test_overlapping_run_skips_a_group_sent_meanwhile(self):
        """A group locked by one run and sent by another is re-read, not resent."""
        message = self.take_message(urgency="urgent")
        message.action_submit()
        sms = message.delivery_ids.filtered(lambda d: d.channel == "sms")
        group = self.Delivery.sudo()._lock_next_due_group()
        while group and group != sms:
            group._send_group()
            group = self.Delivery.sudo()._lock_next_due_group()
        self.assertEqual(group, sms)
        # meanwhile another worker sent it
        self.env.cr.execute(
            "UPDATE callgest_delivery SET state = 'sent' WHERE id = %s", [sms.id]
        )
        self.assertFalse(self.Delivery.sudo()._lock_next_due_group())
        self.assertFalse(self.server.requests)

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
        self.take_message(body="one").action_submit()
        self.take_message(body="two").action_submit()
        pending = self.Delivery.search([("state", "=", "queued")])
        self.assertEqual(len(pending.recipient_id), 2)
        self.make_due(pending)
        # the run stops after its first group (a crash right after a commit)
        self.assertEqual(self.Delivery.sudo()._cron_send_due(max_groups=1), 1)
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
        self.assertEqual(other.delivery_ids.mapped("state"), ["sent", "sent"])

    def test_billable_events(self):
        automatic = self.take_message(urgency="urgent")
        by_hand = self.take_message(urgency="urgent", written_by_hand=True)
        (automatic | by_hand).action_submit()
        self.send_due()
        events = (automatic | by_hand).delivery_ids.billable_event_id
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
        self.assertFalse(message.delivery_ids)
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
            sorted(message.delivery_ids.mapped("channel")), ["email", "sms"]
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
        spanish = message.delivery_ids.filtered(
            lambda d: d.recipient_id == self.email_now
        )
        portuguese = message.delivery_ids.filtered(lambda d: d.recipient_id == lisbon)
        self.assertEqual(
            spanish.mail_id.subject, f"URGENTE: Recado de Joan Garcia ({message.name})"
        )
        self.assertIn("Se ha tomado un recado", spanish.mail_id.body_html)
        self.assertIn("Recado de Joan Garcia", portuguese.mail_id.subject)
        self.assertIn("Foi registado um recado", portuguese.mail_id.body_html)
