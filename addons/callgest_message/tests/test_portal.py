import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException


@tagged("post_install", "-at_install")
class TestMessagePortal(HttpCase):
    """Recados and incidencias on the client's portal: the rules that keep
    them his (tried with another client's ids on every route), a
    professional's own ones in a collective invoiced per professional,
    reading, the CSV, closing and reopening. Own data, no demo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.clinic = Partner.create(
            {
                "name": "Portal Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9811",
                "tz": "Europe/Madrid",
            }
        )
        cls.firm = Partner.create(
            {
                "name": "Portal Law Firm",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9812",
                "callgest_client_type": "collective",
                "callgest_invoice_grouping": "professional",
                "tz": "Europe/Madrid",
            }
        )
        cls.lawyer, cls.colleague, cls.firm_boss = (
            Partner.create(
                {
                    "name": name,
                    "parent_id": cls.firm.id,
                    "callgest_is_professional": professional,
                }
            )
            for name, professional in (
                ("Own Lawyer", True),
                ("Colleague Lawyer", True),
                ("Firm Manager", False),
            )
        )
        cls.env["callgest.authorized.contact"].create(
            {"client_id": cls.firm.id, "partner_id": cls.firm_boss.id}
        )
        users = {}
        for login, partner in (
            (
                "msg_portal_clinic",
                Partner.create({"name": "Clinic Desk", "parent_id": cls.clinic.id}),
            ),
            ("msg_portal_lawyer", cls.lawyer),
            ("msg_portal_boss", cls.firm_boss),
        ):
            users[login] = new_test_user(
                cls.env,
                login=login,
                password=login,
                groups="base.group_portal",
                partner_id=partner.id,
                tz="Europe/Madrid",
            )
        cls.clinic_user = users["msg_portal_clinic"]
        cls.lawyer_user = users["msg_portal_lawyer"]
        cls.boss_user = users["msg_portal_boss"]

        Message = cls.env["callgest.message"]
        now = fields.Datetime.now()
        category = cls.env.ref("callgest_message.category_message")

        def recado(client, body, state="delivered", **values):
            return Message.create(
                {
                    "partner_id": client.id,
                    "category_id": category.id,
                    "caller_name": f"Caller {body}",
                    "caller_number": "+34 600 000 001",
                    "body": body,
                    "state": state,
                    **values,
                }
            )

        cls.unread = recado(
            cls.clinic,
            "Tour portal recado body",
            urgency="urgent",
            taken_at=now - timedelta(hours=1),
        )
        cls.read = recado(
            cls.clinic,
            "Already read recado",
            taken_at=now - timedelta(days=3),
            client_read_date=now - timedelta(days=2),
        )
        cls.draft = recado(cls.clinic, "Secret draft", state="draft")
        # cancelled: the client sees it only if something reached him
        cls.withdrawn = recado(cls.clinic, "Withdrawn unsent", state="cancelled")
        cls.cancelled_sent = recado(
            cls.clinic, "Cancelled but sent", taken_at=now - timedelta(days=5)
        )
        recipient = cls.env["callgest.recipient"].create(
            {
                "partner_id": cls.clinic.id,
                "channel": "email",
                "address": "boss@portal-clinic.example.com",
            }
        )
        cls.env["callgest.delivery"].create(
            {
                "message_id": cls.cancelled_sent.id,
                "recipient_id": recipient.id,
                "channel": "email",
                "address": recipient.address,
                "state": "sent",
            }
        )
        cls.cancelled_sent.state = "cancelled"
        cls.lawyer_msg = recado(
            cls.firm, "For the own lawyer", professional_id=cls.lawyer.id
        )
        cls.colleague_msg = recado(
            cls.firm, "For the colleague", professional_id=cls.colleague.id
        )
        Incident = cls.env["callgest.incident"]

        def incident(client, name, **values):
            return Incident.create(
                {
                    "partner_id": client.id,
                    "name": name,
                    "description": f"Description of {name}",
                    **values,
                }
            )

        cls.clinic_incident = incident(cls.clinic, "TOUR-INC-1")
        cls.lawyer_incident = incident(
            cls.firm, "LAW-INC-OWN", professional_id=cls.lawyer.id
        )
        cls.colleague_incident = incident(
            cls.firm, "LAW-INC-COLLEAGUE", professional_id=cls.colleague.id
        )

    def _csrf(self, url):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _post(self, url, token):
        return self.url_open(url, data={"csrf_token": token}, allow_redirects=False)

    def test_each_client_sees_only_its_own(self):
        # ORM / RPC: the rules, as each portal user
        for user, visible, hidden in (
            (
                self.clinic_user,
                self.unread | self.read | self.cancelled_sent,
                self.draft | self.withdrawn | self.lawyer_msg | self.colleague_msg,
            ),
            (
                self.lawyer_user,
                self.lawyer_msg,
                self.colleague_msg | self.unread | self.read | self.draft,
            ),
            (
                self.boss_user,
                self.lawyer_msg | self.colleague_msg,
                self.unread | self.read | self.draft,
            ),
        ):
            Message = self.env["callgest.message"].with_user(user)
            found = Message.search([("id", "in", (visible | hidden).ids)])
            self.assertEqual(found, visible.with_user(user), user.login)
            for other in hidden:
                with self.assertRaises(AccessError):
                    Message.browse(other.id).check_access("read")
        Incident = self.env["callgest.incident"]
        all_incidents = (
            self.clinic_incident | self.lawyer_incident | self.colleague_incident
        )
        self.assertEqual(
            Incident.with_user(self.lawyer_user).search(
                [("id", "in", all_incidents.ids)]
            ),
            self.lawyer_incident,
        )
        self.assertEqual(
            Incident.with_user(self.clinic_user)
            .search([("id", "in", all_incidents.ids)])
            .ids,
            self.clinic_incident.ids,
        )
        with self.assertRaises(AccessError):
            Incident.with_user(self.clinic_user).browse(
                self.lawyer_incident.id
            ).check_access("read")
        # a portal user writes nothing himself
        with self.assertRaises(AccessError):
            self.unread.with_user(self.clinic_user).write({"body": "changed"})
        # the categories are shared: readable
        self.assertTrue(
            self.env["callgest.message.category"]
            .with_user(self.clinic_user)
            .search_count([])
        )

        # HTTP, as the lawyer: his own only, never the colleague's or clinic's
        self.authenticate("msg_portal_lawyer", "msg_portal_lawyer")
        page = self.url_open("/my/recados").text
        self.assertIn("For the own lawyer", page)
        self.assertNotIn("For the colleague", page)
        self.assertNotIn("Tour portal recado body", page)
        csv = self.url_open("/my/recados/export.csv").text
        self.assertIn("For the own lawyer", csv)
        self.assertNotIn("For the colleague", csv)
        page = self.url_open("/my/incidencias?filterby=all").text
        self.assertIn("LAW-INC-OWN", page)
        self.assertNotIn("LAW-INC-COLLEAGUE", page)
        self.assertNotIn("TOUR-INC-1", page)
        token = self._csrf(f"/my/recados/{self.lawyer_msg.id}")
        for other in (self.colleague_msg, self.unread, self.draft):
            self.assertEqual(self.url_open(f"/my/recados/{other.id}").status_code, 404)
            for action in ("read", "unread"):
                response = self._post(f"/my/recados/{other.id}/{action}", token)
                self.assertEqual(response.status_code, 404)
        self.assertFalse(
            any((self.colleague_msg | self.unread).mapped("client_read_date"))
        )
        for other in (self.colleague_incident, self.clinic_incident):
            self.assertEqual(
                self.url_open(f"/my/incidencias/{other.id}").status_code, 404
            )
            for action in ("close", "reopen"):
                response = self._post(f"/my/incidencias/{other.id}/{action}", token)
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.clinic_incident.state, "new")
        self.assertEqual(self.colleague_incident.state, "new")
        # posting in the chatter of another client's incidencia: not found
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "callgest.incident",
                    "thread_id": self.clinic_incident.id,
                    "post_data": {"body": "intrusion", "message_type": "comment"},
                },
            )
        self.assertFalse(
            self.clinic_incident.message_ids.filtered(
                lambda m: "intrusion" in (m.body or "")
            )
        )
        # the counters of the home page are his
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {
                "counters": [
                    "callgest_unread_message_count",
                    "callgest_open_incident_count",
                ]
            },
        )
        self.assertEqual(
            counters,
            {"callgest_unread_message_count": 1, "callgest_open_incident_count": 1},
        )

    def test_read_unread_filters_and_csv(self):
        self.authenticate("msg_portal_clinic", "msg_portal_clinic")
        page = self.url_open("/my/recados?filterby=unread").text
        self.assertIn("Tour portal recado body", page)
        self.assertNotIn("Already read recado", page)
        self.assertNotIn("Secret draft", page)
        # opening the detail does not mark it read
        url = f"/my/recados/{self.unread.id}"
        token = self._csrf(url)
        self.assertFalse(self.unread.client_read_date)
        response = self._post(f"{url}/read", token)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.unread.client_read_date)
        self.assertEqual(
            self.unread.client_read_partner_id, self.clinic_user.partner_id
        )
        tracking = self.unread.message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(tracking.author_id, self.clinic_user.partner_id)
        self.assertIn(
            "client_read_date",
            tracking.tracking_value_ids.field_id.mapped("name"),
        )
        page = self.url_open("/my/recados?filterby=unread").text
        self.assertNotIn("Tour portal recado body", page)
        page = self.url_open("/my/recados?filterby=read").text
        self.assertIn("Tour portal recado body", page)
        self.assertIn("Already read recado", page)
        self._post(f"{url}/unread", token)
        self.assertFalse(self.unread.client_read_date)
        self.assertFalse(self.unread.client_read_partner_id)
        # filters: urgency, search, dates in the client's days
        page = self.url_open("/my/recados?urgency=normal").text
        self.assertNotIn("Tour portal recado body", page)
        self.assertIn("Already read recado", page)
        page = self.url_open("/my/recados?search_in=text&search=already").text
        self.assertIn("Already read recado", page)
        self.assertNotIn("Tour portal recado body", page)
        today = fields.Date.context_today(
            self.clinic_user.with_context(tz="Europe/Madrid")
        )
        page = self.url_open(f"/my/recados?date_from={today - timedelta(days=1)}").text
        self.assertIn("Tour portal recado body", page)
        self.assertNotIn("Already read recado", page)
        self.assertEqual(
            self.url_open("/my/recados?date_from=nonsense").status_code, 200
        )
        # the CSV: the same filters, the client's time, accents kept
        response = self.url_open("/my/recados/export.csv?filterby=read")
        self.assertEqual(response.headers["Content-Type"], "text/csv; charset=utf-8")
        lines = response.content.decode("utf-8-sig").splitlines()
        self.assertTrue(
            lines[0].startswith("Reference;Taken at (Europe/Madrid);Caller")
        )
        self.assertEqual(len(lines), 2)
        self.assertIn("Already read recado", lines[1])
        self.assertIn(self.read.name, lines[1])
        lines = (
            self.url_open("/my/recados/export.csv?urgency=urgent")
            .content.decode("utf-8-sig")
            .splitlines()
        )
        self.assertEqual(len(lines), 2)
        self.assertIn("Tour portal recado body", lines[1])

    def test_close_and_reopen_tracked(self):
        incident = self.clinic_incident
        self.authenticate("msg_portal_clinic", "msg_portal_clinic")
        url = f"/my/incidencias/{incident.id}"
        token = self._csrf(url)
        self.assertNotIn("o_callgest_reopen", self.url_open(url).text)
        response = self._post(f"{url}/close", token)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(incident.state, "closed")
        tracking = incident.message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(tracking.author_id, self.clinic_user.partner_id)
        self.assertEqual(tracking.tracking_value_ids.new_value_char, "Closed")
        # closing it twice: a clear message, nothing changes
        response = self._post(f"{url}/close", token)
        self.assertEqual(response.status_code, 200)
        self.assertIn("is already closed", response.text)
        self.assertEqual(incident.state, "closed")
        page = self.url_open("/my/incidencias").text
        self.assertNotIn("TOUR-INC-1", page)
        page = self.url_open("/my/incidencias?filterby=closed").text
        self.assertIn("TOUR-INC-1", page)
        self._post(f"{url}/reopen", token)
        self.assertEqual(incident.state, "in_progress")
        tracking = incident.message_ids.filtered("tracking_value_ids")[:1]
        self.assertEqual(tracking.author_id, self.clinic_user.partner_id)
        self.assertEqual(tracking.tracking_value_ids.new_value_char, "In progress")
        response = self._post(f"{url}/reopen", token)
        self.assertIn("is still open", response.text)
        self.assertEqual(incident.state, "in_progress")
        with self.assertRaises(UserError):
            incident._callgest_portal_reopen(self.clinic_user.partner_id)

    def test_portal_tour(self):
        self.start_tour(
            "/my", "callgest_message_portal_tour", login="msg_portal_clinic"
        )
        self.assertTrue(self.unread.client_read_date)
        self.assertEqual(self.clinic_incident.state, "closed")
        answer = self.clinic_incident.message_ids.filtered(
            lambda m: "tomorrow at 10" in (m.body or "")
        )
        self.assertEqual(answer.author_id, self.clinic_user.partner_id)
        self.assertEqual(answer.message_type, "comment")

    def test_a_plain_contact_of_a_collective_sees_the_collective(self):
        # neither a professional nor an authorized contact: the firm's desk
        desk_user = new_test_user(
            self.env,
            login="msg_portal_firm_desk",
            groups="base.group_portal",
            partner_id=self.env["res.partner"]
            .create({"name": "Firm desk", "parent_id": self.firm.id})
            .id,
        )
        firm_recados = self.env["callgest.message"].search(
            [("partner_id", "=", self.firm.id), ("state", "=", "delivered")]
        )
        self.assertTrue(firm_recados)
        self.assertEqual(
            self.env["callgest.message"]
            .with_user(desk_user)
            .search([("state", "=", "delivered")]),
            firm_recados,
        )

    def test_a_reseller_sees_its_sub_clients_and_no_other(self):
        Partner = self.env["res.partner"]
        reseller, other_reseller = (
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_callgest_client": True,
                    "callgest_client_code": code,
                    "callgest_client_type": "reseller",
                }
            )
            for name, code in (("Portal Reseller", "9815"), ("Other Reseller", "9816"))
        )
        self.clinic.callgest_reseller_id = reseller
        reseller_user, other_user = (
            new_test_user(
                self.env,
                login=login,
                groups="base.group_portal",
                partner_id=Partner.create(
                    {"name": f"{login} desk", "parent_id": company.id}
                ).id,
            )
            for login, company in (
                ("msg_portal_reseller", reseller),
                ("msg_portal_other_reseller", other_reseller),
            )
        )
        Message = self.env["callgest.message"]
        self.assertIn(self.unread, Message.with_user(reseller_user).search([]))
        self.unread.with_user(reseller_user).check_access("read")
        self.assertFalse(Message.with_user(other_user).search([]))
        with self.assertRaises(AccessError):
            self.unread.with_user(other_user).check_access("read")
        # the sub-client's own contacts still see it, the reseller's nothing else
        self.assertIn(self.unread, Message.with_user(self.clinic_user).search([]))
        self.assertFalse(
            Message.with_user(reseller_user).search([("partner_id", "=", self.firm.id)])
        )
