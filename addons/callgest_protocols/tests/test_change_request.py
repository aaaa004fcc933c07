import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import CallgestProtocolsCommon

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


class ChangeRequestCommon(CallgestProtocolsCommon):
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

    def outgoing_mails(self, request):
        return self.refusal_mails(request)

    def confirmation_mails(self):
        return self.env["mail.mail"].search(
            [
                ("subject", "ilike", "Please confirm your request"),
                ("state", "=", "outgoing"),
            ]
        )

    def refusal_mails(self, request):
        return self.env["mail.mail"].search(
            [
                ("model", "=", request._name),
                ("res_id", "=", request.id),
                ("state", "=", "outgoing"),
            ]
        )


@tagged("post_install", "-at_install")
class TestChangeRequest(ChangeRequestCommon):
    def test_authorized_request_creates_draft_then_done(self):
        request = self.receive(
            "marta@clinic.example.com",
            "Cambio de guardia",
            body="From Monday the on-call number is 600 111 222.",
        )
        # the From header proves nothing: the contact confirms first
        self.assertEqual(request.state, "to_confirm")
        self.assertEqual(request.confirmation_status, "pending")
        self.assertFalse(request.draft_version_id)
        self.assertEqual(request.client_id, self.clinic)
        self.assertEqual(request.authorized_contact_id.partner_id, self.manager)
        self.assertEqual(request.requester_partner_id, self.manager)
        confirmation = self.confirmation_mails()
        self.assertEqual(len(confirmation), 1)
        self.assertEqual(confirmation.email_to, "marta@clinic.example.com")
        self.assertIn(request._confirmation_url(), confirmation.body_html)
        # the link is in no chatter that staff read, nor logged on the request
        token = request.sudo().confirmation_token
        self.assertFalse(confirmation.model or confirmation.res_id)
        self.assertFalse(
            request.message_ids.filtered(lambda message: token in str(message.body))
        )
        self.assertFalse(self.outgoing_mails(request))
        request._confirm_by_sender()
        self.assertEqual(request.state, "draft_created")
        self.assertEqual(request.confirmation_status, "confirmed")
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
        self.assertFalse(self.refusal_mails(request), "no refusal")

        draft.with_user(self.supervisor).action_approve()
        self.assertEqual(draft.state, "active")
        self.assertEqual(request.state, "done")

    def test_authorized_request_copies_active_version(self):
        protocol, active = self.create_protocol(self.clinic, languages="es, ca")
        request = self.receive("Marta@Clinic.example.com", "[9001] Idiomas")
        request._confirm_by_sender()
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
        # the code in the subject tells a stranger nothing of the client
        self.assertNotIn("Test Clinic", mails.body_html)
        self.assertNotIn("Test Clinic", mails.subject)
        self.assertIn("Test Clinic", request.refusal_reason, "supervisors know")
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


@tagged("post_install", "-at_install")
class TestChangeRequestConfirmation(ChangeRequestCommon, HttpCase):
    """A forged From of an authorized contact creates no draft: the contact
    confirms at the address on file, through an expiring tokenized link."""

    def url(self, request, token=None):
        return (
            f"/callgest/protocol-change/{request.id}/confirm"
            f"?token={token or request.sudo().confirmation_token}"
        )

    def press_confirm(self, request):
        """What the button does: POST the page's form, with its CSRF token."""
        page = self.url_open(self.url(request))
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_callgest_change_confirm", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/callgest/protocol-change/{request.id}/confirm",
            data={"csrf_token": csrf, "token": request.sudo().confirmation_token},
        )

    def test_forged_from_waits_for_the_real_contact(self):
        request = self.receive("marta@clinic.example.com", "[9001] Nuevo desvío")
        self.assertEqual(request.state, "to_confirm")
        self.assertFalse(request.draft_version_id)
        self.assertFalse(
            self.env["callgest.protocol.version"].search(
                [("protocol_id.partner_id", "=", self.clinic.id)]
            ),
            "nothing for a supervisor to approve before the confirmation",
        )
        # a wrong token confirms nothing
        page = self.url_open(self.url(request, token="forged"))
        self.assertEqual(page.status_code, 404)
        self.assertIn("o_callgest_change_invalid", page.text)
        # opening the link (a mail scanner does) confirms nothing either
        page = self.url_open(self.url(request))
        self.assertEqual(page.status_code, 200)
        self.assertIn("Nuevo desvío", page.text)
        request.invalidate_recordset()
        self.assertEqual(request.state, "to_confirm")

    def test_the_contact_confirms_with_the_button(self):
        request = self.receive("marta@clinic.example.com", "[9001] Nuevo desvío")
        response = self.press_confirm(request)
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_callgest_change_confirmed", response.text)
        request.invalidate_recordset()
        self.assertEqual(request.state, "draft_created")
        self.assertEqual(request.confirmation_status, "confirmed")
        self.assertTrue(request.confirmed_at)
        self.assertEqual(request.draft_version_id.state, "draft")
        # pressing again changes nothing
        again = self.url_open(self.url(request))
        self.assertIn("o_callgest_change_confirmed", again.text)
        self.assertEqual(len(request.draft_version_id), 1)

    def test_an_expired_link_confirms_nothing(self):
        request = self.receive("marta@clinic.example.com", "[9001] Nuevo desvío")
        request.confirmation_deadline = fields.Datetime.now() - timedelta(minutes=1)
        self.assertEqual(request.confirmation_status, "expired")
        page = self.url_open(self.url(request))
        self.assertIn("o_callgest_change_expired", page.text)
        request.invalidate_recordset()
        self.assertEqual(request.state, "to_confirm")
        self.assertFalse(request.draft_version_id)
        with self.assertRaisesRegex(UserError, "expired"):
            request._confirm_by_sender()
