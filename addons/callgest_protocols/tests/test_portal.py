import re

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.tests.common import HttpCaseWithUserPortal

from .common import create_calendar, create_protocol, transfers

CSRF = re.compile(r'csrf_token: "([^"]+)"')


@tagged("post_install", "-at_install")
class TestProtocolPortal(HttpCaseWithUserPortal):
    """The protocol pages of the client portal, as two clients with each
    other's ids, a contact who may not request changes, and the request
    form of an authorized contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        Authorized = cls.env["callgest.authorized.contact"]
        cls.supervisor = new_test_user(
            cls.env,
            login="proto_supervisor",
            groups="callgest_base.group_callgest_supervisor",
        )
        cls.clinic = Partner.create(
            {
                "name": "Tour Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "callgest_calendar_id": create_calendar(
                    cls.env, "Tour Clinic hours", 9.0, 18.0
                ).id,
            }
        )
        cls.other = Partner.create(
            {
                "name": "Other Firm",
                "is_company": True,
                "is_callgest_client": True,
                "country_id": cls.env.ref("base.es").id,
                "tz": "Atlantic/Canary",
            }
        )
        # the portal user of HttpCaseWithUserPortal speaks for the clinic
        cls.partner_portal.write({"parent_id": cls.clinic.id})
        Authorized.create(
            {"client_id": cls.clinic.id, "partner_id": cls.partner_portal.id}
        )
        cls.colleague = new_test_user(
            cls.env,
            login="proto_colleague",
            password="proto_colleague",
            groups="base.group_portal",
            name="Clinic Receptionist",
        )
        cls.colleague.partner_id.parent_id = cls.clinic
        Authorized.create(
            {
                "client_id": cls.clinic.id,
                "partner_id": cls.colleague.partner_id.id,
                "can_request_changes": False,
            }
        )
        cls.other_user = new_test_user(
            cls.env,
            login="proto_other",
            password="proto_other",
            groups="base.group_portal",
            name="Other Manager",
        )
        cls.other_user.partner_id.parent_id = cls.other
        Authorized.create(
            {"client_id": cls.other.id, "partner_id": cls.other_user.partner_id.id}
        )
        cls.protocol, cls.clinic_v1 = create_protocol(
            cls.env,
            cls.clinic,
            state="archived",
            greeting="{greeting}, Tour Clinic, old greeting",
            change_summary="First version",
        )
        cls.clinic_v2 = cls.env["callgest.protocol.version"].create(
            {
                "protocol_id": cls.protocol.id,
                "state": "active",
                "greeting": "{greeting}, Tour Clinic, le atiende {secretary}.",
                "instructions": "<p>Ask for the patient's name.</p>",
                "transfer_target_ids": transfers(("+34 934 150 200", 20)),
                "change_summary": "Reception first",
            }
        )
        cls.clinic_draft = cls.env["callgest.protocol.version"].create(
            {
                "protocol_id": cls.protocol.id,
                "greeting": "Secret draft greeting",
            }
        )
        cls.other_protocol, cls.other_v1 = create_protocol(
            cls.env, cls.other, greeting="Other Firm greeting, private"
        )
        Request = cls.env["callgest.protocol.change.request"]
        cls.other_request = Request.create(
            {"subject": "Other Firm's change", "client_id": cls.other.id}
        )
        cls.clinic_request = Request.create(
            {"subject": "Clinic's emailed change", "client_id": cls.clinic.id}
        )

    def _csrf(self, url="/my"):
        response = self.url_open(url)
        return CSRF.search(response.text).group(1)

    def _post_request(self, client, text, section="", csrf=None):
        return self.url_open(
            f"/my/protocol/{client.id}/request",
            data={
                "csrf_token": csrf or self._csrf(),
                "text": text,
                "section": section,
            },
        )

    def _requests(self, client):
        return self.env["callgest.protocol.change.request"].search(
            [("client_id", "=", client.id)]
        )

    def test_each_client_sees_only_its_own(self):
        cases = [
            ("portal", self.clinic, self.other, self.other_v1, self.other_request),
            (
                "proto_other",
                self.other,
                self.clinic,
                self.clinic_v2,
                self.clinic_request,
            ),
        ]
        for login, own, foreign, foreign_version, foreign_request in cases:
            foreign_greeting = foreign_version.greeting.split(",")[1]
            with self.subTest(login=login):
                self.authenticate(login, login)
                page = self.url_open("/my/protocol")
                self.assertEqual(page.status_code, 200)
                self.assertIn(f"{own.name}", page.text)
                self.assertNotIn(foreign.name, page.text)
                self.assertNotIn(foreign_greeting, page.text)
                self.assertNotIn("Secret draft", page.text)
                self.assertEqual(
                    self.url_open(f"/my/protocol/{own.id}").status_code, 200
                )
                for url in (
                    f"/my/protocol/{foreign.id}",
                    f"/my/protocol/version/{foreign_version.id}",
                    f"/my/protocol/version/{self.clinic_draft.id}",
                ):
                    self.assertEqual(self.url_open(url).status_code, 404, url)
                before = len(self._requests(foreign))
                forged = self._post_request(foreign, "Take over their protocol")
                self.assertEqual(forged.status_code, 403)
                self.assertEqual(len(self._requests(foreign)), before)
                # RPC: the same rules for search_read and a read by id
                user = self.env["res.users"].search([("login", "=", login)])
                for model, foreign_record in (
                    ("callgest.protocol", foreign_version.protocol_id),
                    ("callgest.protocol.version", foreign_version),
                    ("callgest.protocol.change.request", foreign_request),
                ):
                    Model = self.env[model].with_user(user)
                    rows = Model.search_read([], ["id"])
                    self.assertTrue(rows, model)
                    self.assertNotIn(foreign_record.id, [row["id"] for row in rows])
                    with self.assertRaises(AccessError):
                        Model.browse(foreign_record.id).read(["id"])
                # no write through RPC, even on its own requests
                with self.assertRaises(AccessError):
                    self.env["callgest.protocol.change.request"].with_user(user).create(
                        {"subject": "RPC", "client_id": own.id}
                    )
        # the clinic's page: the active version, its history, its requests
        self.authenticate("portal", "portal")
        page = self.url_open(f"/my/protocol/{self.clinic.id}").text
        self.assertIn("Tour Clinic, le atiende", page)
        self.assertIn("+34934150200", page)
        self.assertIn(f"/my/protocol/version/{self.clinic_v1.id}", page)
        self.assertIn("Clinic&#39;s emailed change", page)
        self.assertIn("o_callgest_change_request_form", page)
        past = self.url_open(f"/my/protocol/version/{self.clinic_v1.id}")
        self.assertEqual(past.status_code, 200)
        self.assertIn("old greeting", past.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_protocol_count"]}
        )
        self.assertEqual(counters["callgest_protocol_count"], 1)

    def test_contact_not_authorized_to_request_changes(self):
        self.authenticate("proto_colleague", "proto_colleague")
        page = self.url_open("/my/protocol")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Tour Clinic, le atiende", page.text)
        self.assertNotIn("o_callgest_change_request_form", page.text)
        self.assertIn("o_callgest_change_request_not_allowed", page.text)
        before = len(self._requests(self.clinic))
        forged = self._post_request(self.clinic, "Please change the greeting")
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(len(self._requests(self.clinic)), before)

    def test_logged_in_request_needs_no_email_confirmation(self):
        self.authenticate("portal", "portal")
        before = self._requests(self.clinic)
        # nothing without the CSRF token, nothing for an empty text
        no_token = self.url_open(
            f"/my/protocol/{self.clinic.id}/request",
            data={"text": "No token", "csrf_token": "forged"},
        )
        self.assertEqual(no_token.status_code, 400)
        empty = self._post_request(self.clinic, "   ")
        self.assertEqual(empty.status_code, 200)
        self.assertIn("Write what should change in the protocol.", empty.text)
        self.assertEqual(self._requests(self.clinic), before)
        sent = self._post_request(
            self.clinic, "Add Dr. Serra after reception.", "transfers"
        )
        self.assertEqual(sent.status_code, 200)
        self.assertIn("/my/protocol/", sent.url)
        self.assertIn("message=sent", sent.url)
        change = self._requests(self.clinic) - before
        self.assertEqual(len(change), 1)
        self.assertRecordValues(
            change,
            [
                {
                    "origin": "portal",
                    "portal_user_id": self.user_portal.id,
                    "requester_partner_id": self.partner_portal.id,
                    "section": "transfers",
                    "state": "draft_created",
                    "confirmation_status": "not_needed",
                    "confirmed_at": False,
                    "confirmation_deadline": False,
                }
            ],
        )
        self.assertEqual(
            change.subject, "Transfer cascade: Add Dr. Serra after reception."
        )
        # no confirmation link was emailed: the contact is logged in
        self.assertFalse(
            self.env["mail.mail"].search(
                [("subject", "ilike", "Please confirm your request")]
            )
        )
        # a draft copied from the active version, for a supervisor to approve
        draft = change.draft_version_id
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.protocol_id, self.protocol)
        self.assertEqual(draft.transfer_target_ids.number, "+34934150200")
        self.assertIn("Add Dr. Serra", draft.change_summary)
        notified = change.message_ids.notification_ids.res_partner_id
        self.assertIn(self.supervisor.partner_id, notified)
        # still approved by a supervisor: then the request is done
        draft.with_user(self.supervisor).action_approve()
        self.assertEqual(change.state, "done")
        # the daily limit of open requests (a system parameter)
        self.env["ir.config_parameter"].sudo().set_param(
            "callgest_protocols.portal_daily_request_limit", "1"
        )
        self._post_request(self.clinic, "First open one")
        count = len(self._requests(self.clinic))
        flood = self._post_request(self.clinic, "One too many")
        self.assertEqual(flood.status_code, 200)
        self.assertIn("open change requests made in the last 24 hours", flood.text)
        self.assertEqual(len(self._requests(self.clinic)), count)

    def test_tour_request_a_change(self):
        self.start_tour("/my", "callgest_protocols_portal_request", login="portal")
        change = self._requests(self.clinic).filtered(
            lambda request: "Dr. Serra" in (request.subject or "")
        )
        self.assertEqual(change.state, "draft_created")
        self.assertEqual(change.section, "transfers")
        self.assertEqual(change.portal_user_id, self.user_portal)

    def test_professional_of_a_collective_invoiced_per_professional(self):
        """He reads the collective's protocol and his DDI's, not a
        colleague's, and may not request changes (not authorized)."""
        Partner = self.env["res.partner"]
        firm = Partner.create(
            {
                "name": "Tour Law Firm",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_type": "collective",
                "callgest_invoice_grouping": "professional",
                "country_id": self.env.ref("base.es").id,
            }
        )
        lawyer = new_test_user(
            self.env,
            login="proto_lawyer",
            password="proto_lawyer",
            groups="base.group_portal",
            name="Tour Lawyer",
        )
        lawyer.partner_id.write(
            {"parent_id": firm.id, "callgest_is_professional": True}
        )
        colleague = Partner.create(
            {
                "name": "Tour Colleague",
                "parent_id": firm.id,
                "callgest_is_professional": True,
            }
        )
        ddis = self.env["callgest.ddi"].create(
            [
                {
                    "number_entered": number,
                    "country_id": self.env.ref("base.es").id,
                    "partner_id": firm.id,
                    "professional_id": professional.id,
                }
                for number, professional in (
                    ("+34 933 906 781", lawyer.partner_id),
                    ("+34 933 906 782", colleague),
                )
            ]
        )
        ddis.action_activate()
        firm_protocol, _v = create_protocol(self.env, firm, greeting="Firm hello")
        own_protocol, _v = create_protocol(self.env, firm, ddis[0], greeting="Mine")
        other_protocol, other_version = create_protocol(
            self.env, firm, ddis[1], greeting="Colleague's own greeting"
        )
        Protocol = self.env["callgest.protocol"].with_user(lawyer)
        self.assertEqual(Protocol.search([]), firm_protocol | own_protocol)
        self.authenticate("proto_lawyer", "proto_lawyer")
        page = self.url_open("/my/protocol")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Firm hello", page.text)
        self.assertNotIn("o_callgest_change_request_form", page.text)
        own = self.url_open(f"/my/protocol/{firm.id}?protocol_id={own_protocol.id}")
        self.assertIn("Mine", own.text)
        self.assertNotIn(
            "Colleague",
            self.url_open(
                f"/my/protocol/{firm.id}?protocol_id={other_protocol.id}"
            ).text,
        )
        self.assertEqual(
            self.url_open(f"/my/protocol/version/{other_version.id}").status_code, 404
        )
        self.assertEqual(
            self._post_request(firm, "Change my greeting").status_code, 403
        )
        self.assertFalse(self._requests(firm))
