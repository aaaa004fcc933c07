from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

ALIAS_DOMAIN = "callgest-test.example.com"

RAW_EMAIL = """Return-Path: <{email}>
To: protocolos@{domain}
From: {sender} <{email}>
Subject: {subject}
Message-ID: <{msg_id}@callgest.test>
Date: Sun, 22 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""


@tagged("post_install", "-at_install")
class TestChangeRequest(CallgestBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["callgest.protocol.change.request"]
        cls.alias = cls.env.ref("callgest_protocols.mail_alias_protocol_change_request")
        domain = cls.env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        cls.alias.alias_domain_id = domain
        cls.manager = cls.Partner.create(
            {"name": "Marta Gerente", "email": "marta@clinic.example.com"}
        )
        cls.receptionist = cls.Partner.create(
            {"name": "Rita Recepción", "email": "rita@clinic.example.com"}
        )
        Authorized = cls.env["callgest.authorized.contact"]
        Authorized.create(
            {
                "client_id": cls.clinic.id,
                "partner_id": cls.manager.id,
                "can_request_changes": True,
            }
        )
        Authorized.create(
            {
                "client_id": cls.clinic.id,
                "partner_id": cls.receptionist.id,
                "can_request_changes": False,
                "receives_notifications": True,
            }
        )
        cls.msg_counter = 0

    def receive(self, email, subject, body="Please add the new on-call number."):
        """Run an email to the alias through the real mail gateway."""
        type(self).msg_counter += 1
        raw = RAW_EMAIL.format(
            email=email,
            sender=email.split("@")[0].title(),
            domain=ALIAS_DOMAIN,
            subject=subject,
            msg_id=f"change-request-{self.msg_counter}",
            body=body,
        )
        res_id = self.env["mail.thread"].message_process(False, raw)
        self.assertTrue(res_id, "the email must be routed to a request")
        return self.Request.browse(res_id)

    def refusal_mails(self, request):
        return self.env["mail.mail"].search(
            [
                ("model", "=", request._name),
                ("res_id", "=", request.id),
                ("state", "=", "outgoing"),
            ]
        )

    def test_authorized_request_creates_draft_then_done(self):
        request = self.receive(
            "marta@clinic.example.com",
            "Cambio de guardia",
            body="From Monday the on-call number is 600 111 222.",
        )
        self.assertEqual(request.state, "draft_created")
        self.assertEqual(request.client_id, self.clinic)
        self.assertEqual(request.authorized_contact_id.partner_id, self.manager)
        self.assertEqual(request.requester_partner_id, self.manager)
        draft = request.draft_version_id
        self.assertTrue(draft)
        self.assertEqual(draft.state, "draft")
        self.assertFalse(draft.protocol_id.ddi_id, "the client-wide protocol")
        self.assertEqual(draft.protocol_id.partner_id, self.clinic)
        self.assertEqual(request.protocol_id, draft.protocol_id)
        self.assertIn("600 111 222", draft.change_summary)
        self.assertIn("marta@clinic.example.com", draft.change_summary)
        self.assertTrue(
            draft.message_ids.filtered(lambda m: "600 111 222" in str(m.body)),
            "the request is posted on the draft's chatter",
        )
        self.assertFalse(self.refusal_mails(request))

        draft.with_user(self.supervisor).action_approve()
        self.assertEqual(draft.state, "active")
        self.assertEqual(request.state, "done")

    def test_authorized_request_copies_active_version(self):
        protocol = self.env["callgest.protocol"].create({"partner_id": self.clinic.id})
        active = self.env["callgest.protocol.version"].create(
            {
                "protocol_id": protocol.id,
                "state": "active",
                "languages": "es, ca",
            }
        )
        request = self.receive("Marta@Clinic.example.com", "[9001] Idiomas")
        draft = request.draft_version_id
        self.assertEqual(request.state, "draft_created")
        self.assertEqual(draft.protocol_id, protocol)
        self.assertEqual(draft.languages, "es, ca")
        draft.with_user(self.supervisor).action_approve()
        self.assertEqual(active.state, "archived")
        self.assertEqual(draft.state, "active")
        self.assertEqual(request.state, "done")

    def test_unknown_sender_refused_politely(self):
        request = self.receive("stranger@unknown.example.com", "[9001] Cambio")
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.client_id, self.clinic, "found by the code")
        self.assertFalse(request.draft_version_id)
        self.assertIn("not authorized", request.refusal_reason)
        mails = self.refusal_mails(request)
        self.assertEqual(len(mails), 1, "a refusal is queued for the sender")
        self.assertIn("stranger@unknown.example.com", mails.email_to)
        self.assertFalse(
            self.env["callgest.protocol"].search([("partner_id", "=", self.clinic.id)]),
            "no protocol nor draft for a refused request",
        )

    def test_notification_only_contact_refused(self):
        self.env["res.lang"]._activate_lang("pt_PT")
        self.receptionist.lang = "pt_PT"
        request = self.receive("rita@clinic.example.com", "[9001] Nuevo horario")
        self.assertEqual(request.state, "refused")
        self.assertEqual(request.client_id, self.clinic)
        self.assertFalse(request.authorized_contact_id)
        self.assertEqual(request.lang, "pt_PT", "answered in the sender's language")
        self.assertFalse(request.draft_version_id)
        self.assertEqual(len(self.refusal_mails(request)), 1)

    def test_no_client_refused_without_exception(self):
        request = self.receive("nobody@nowhere.example.com", "Hola")
        self.assertEqual(request.state, "refused")
        self.assertFalse(request.client_id)
        self.assertIn("could not be identified", request.refusal_reason)
        self.assertEqual(request.lang, self.env.company.partner_id.lang or "en_US")
        mails = self.refusal_mails(request)
        self.assertEqual(len(mails), 1)
        self.assertIn("nobody@nowhere.example.com", mails.email_to)

    def test_secretary_reads_supervisor_manages(self):
        request = self.Request.create({"subject": "Manual", "state": "received"})
        self.assertEqual(request.with_user(self.secretary).subject, "Manual")
        with self.assertRaises(AccessError):
            request.with_user(self.secretary).write({"subject": "Changed"})
        request.with_user(self.supervisor).write({"subject": "Changed"})
        self.assertEqual(request.subject, "Changed")
