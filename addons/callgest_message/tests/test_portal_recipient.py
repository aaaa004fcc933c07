import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalRecipient(HttpCase):
    """/my/recipients: the authorized contacts of a client manage its
    notification recipients; another client's (forged ids, GET and POST)
    get 404 and nothing changes; the model's validation shows on the form
    and saves nothing; every change is logged in the client's chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.client_a, cls.client_b = (
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "is_callgest_client": True,
                    "callgest_client_code": code,
                    "country_id": cls.env.ref("base.es").id,
                    "tz": "Europe/Madrid",
                }
            )
            for name, code in (
                ("Recipient Clinic A", "9851"),
                ("Other Clinic B", "9852"),
            )
        )
        cls.user_a, cls.user_b, cls.user_desk = (
            new_test_user(
                cls.env,
                login=login,
                groups="base.group_portal",
                partner_id=Partner.create(
                    {"name": name, "parent_id": client.id, "email": f"{login}@x.com"}
                ).id,
            )
            for login, name, client in (
                ("rcp_a", "Boss A", cls.client_a),
                ("rcp_b", "Boss B", cls.client_b),
                ("rcp_desk", "Desk A", cls.client_a),
            )
        )
        # the desk is a contact of client A, not an authorized one
        cls.env["callgest.authorized.contact"].create(
            [
                {"client_id": cls.client_a.id, "partner_id": cls.user_a.partner_id.id},
                {
                    "client_id": cls.client_b.id,
                    "partner_id": cls.user_b.partner_id.id,
                    "can_request_changes": False,
                },
            ]
        )
        Recipient = cls.env["callgest.recipient"]
        cls.recipient_a = Recipient.create(
            {
                "partner_id": cls.client_a.id,
                "name": "Front desk",
                "channel": "email",
                "address": "desk@clinic-a.example.com",
                "mode": "immediate",
            }
        )
        cls.recipient_b = Recipient.create(
            {
                "partner_id": cls.client_b.id,
                "name": "Secret B",
                "channel": "email",
                "address": "secret@clinic-b.example.com",
            }
        )
        cls.category = cls.env["callgest.message.category"].search([], limit=1)

    def _csrf(self, url="/my/recipients"):
        page = self.url_open(url).text
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def _save(self, **values):
        form = {
            "csrf_token": self._csrf(),
            "client_id": self.client_a.id,
            "name": "",
            "channel": "email",
            "address": "",
            "lang": "en_US",
            "mode": "immediate",
            "digest_times": "13:00, 18:00",
            "urgency_filter": "all",
        }
        form.update(values)
        response = self.url_open("/my/recipients/save", data=form)
        self.env.invalidate_all()
        return response

    def _remove(self, recipient):
        response = self.url_open(
            f"/my/recipients/{recipient.id}/remove", data={"csrf_token": self._csrf()}
        )
        self.env.invalidate_all()
        return response

    def _log(self, client):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", client.id),
                ("author_id", "in", (self.user_a | self.user_b).partner_id.ids),
            ],
            order="id desc",
        )

    def test_other_client_ids_and_rpc(self):
        self.authenticate("rcp_a", "rcp_a")
        page = self.url_open("/my/recipients")
        self.assertEqual(page.status_code, 200)
        self.assertIn("desk@clinic-a.example.com", page.text)
        self.assertNotIn("secret@clinic-b.example.com", page.text)
        own = self.url_open(f"/my/recipients/{self.recipient_a.id}")
        self.assertEqual(own.status_code, 200)
        # B's recipient, GET and forged POSTs: 404, nothing changed
        self.assertEqual(
            self.url_open(f"/my/recipients/{self.recipient_b.id}").status_code, 404
        )
        response = self._save(
            recipient_id=self.recipient_b.id,
            client_id=self.client_b.id,
            address="hijack@evil.example.com",
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._remove(self.recipient_b).status_code, 404)
        response = self._save(
            client_id=self.client_b.id, address="new@evil.example.com"
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.url_open(
                f"/my/recipients/new?client_id={self.client_b.id}"
            ).status_code,
            404,
        )
        self.recipient_b.invalidate_recordset()
        self.assertTrue(self.recipient_b.active)
        self.assertEqual(self.recipient_b.address, "secret@clinic-b.example.com")
        self.assertEqual(
            self.client_b.with_context(active_test=False).callgest_recipient_ids,
            self.recipient_b,
        )
        self.assertFalse(self._log(self.client_b))
        # B's authorized contact (who only receives notifications) manages B's
        self.authenticate("rcp_b", "rcp_b")
        page = self.url_open("/my/recipients")
        self.assertIn("secret@clinic-b.example.com", page.text)
        self.assertNotIn("desk@clinic-a.example.com", page.text)
        self.assertEqual(
            self.url_open(f"/my/recipients/{self.recipient_a.id}").status_code, 404
        )
        # a contact of A who is not authorized: no page, no card
        self.authenticate("rcp_desk", "rcp_desk")
        self.assertEqual(self.url_open("/my/recipients").status_code, 404)
        self.assertEqual(self.url_open("/my/recipients/new").status_code, 404)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_recipient_count"]}
        )
        self.assertEqual(counters["callgest_recipient_count"], 0)
        self.authenticate("rcp_a", "rcp_a")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["callgest_recipient_count"]}
        )
        self.assertEqual(counters["callgest_recipient_count"], "1")
        # RPC: read only, and only the clients one is authorized for
        Recipient = self.env["callgest.recipient"]
        self.assertEqual(Recipient.with_user(self.user_a).search([]), self.recipient_a)
        self.assertFalse(Recipient.with_user(self.user_desk).search([]))
        with self.assertRaises(AccessError):
            self.recipient_b.with_user(self.user_a).read(["address"])
        with self.assertRaises(AccessError):
            self.recipient_a.with_user(self.user_a).write({"address": "x@y.com"})
        with self.assertRaises(AccessError):
            Recipient.with_user(self.user_a).create(
                {"partner_id": self.client_a.id, "address": "x@y.com"}
            )

    def test_validation_shown_nothing_saved(self):
        self.authenticate("rcp_a", "rcp_a")
        messages = self._log(self.client_a)
        cases = [
            ({"channel": "sms", "address": "12ab"}, "is not a valid phone number"),
            ({"channel": "email", "address": "not-an-email"}, "not a valid email"),
            ({"channel": "telegram", "address": "some chat"}, "not a Telegram chat id"),
            (
                {
                    "address": "ok@clinic-a.example.com",
                    "mode": "digest",
                    "digest_times": "25:99",
                },
                "Write the digest times",
            ),
            (
                {"address": "ok@clinic-a.example.com", "channel": "fax"},
                "Choose a value",
            ),
        ]
        for values, message in cases:
            for recipient_id in (self.recipient_a.id, None):
                with self.subTest(values=values, edit=bool(recipient_id)):
                    data = dict(values)
                    if recipient_id:
                        data["recipient_id"] = recipient_id
                    response = self._save(**data)
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("o_callgest_recipient_error", response.text)
                    self.assertIn(message, response.text)
                    # what was typed is still there
                    self.assertIn(f'value="{values["address"]}"', response.text)
        self.recipient_a.invalidate_recordset()
        self.assertEqual(self.recipient_a.address, "desk@clinic-a.example.com")
        self.assertEqual(self.recipient_a.mode, "immediate")
        self.assertEqual(self.client_a.callgest_recipient_ids, self.recipient_a)
        self.assertEqual(self._log(self.client_a), messages)

    def test_add_change_remove_logged(self):
        self.authenticate("rcp_a", "rcp_a")
        response = self._save(
            name="Owner's Telegram",
            channel="telegram",
            address="@clinic_owner",
            mode="digest",
            digest_times="09:00, 19:30",
            urgency_filter="urgent",
            category_ids=str(self.category.id),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_callgest_recipient_saved", response.text)
        added = self.client_a.callgest_recipient_ids - self.recipient_a
        self.assertRecordValues(
            added,
            [
                {
                    "name": "Owner's Telegram",
                    "channel": "telegram",
                    "address": "@clinic_owner",
                    "mode": "digest",
                    "digest_times": "09:00, 19:30",
                    "urgency_filter": "urgent",
                    "category_ids": self.category.ids,
                }
            ],
        )
        log = self._log(self.client_a)
        self.assertEqual(len(log), 1)
        self.assertEqual(log.author_id, self.user_a.partner_id)
        self.assertEqual(log.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("added", log.body)
        self.assertIn("@clinic_owner", log.body)
        self.assertIn("Telegram", log.body)
        # change: a Spanish mobile, normalized by the model; only what changed
        response = self._save(
            recipient_id=self.recipient_a.id,
            name="Front desk",
            channel="sms",
            address="600 123 456",
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.recipient_a.address, "+34600123456")
        log = self._log(self.client_a)[0]
        self.assertIn("changed", log.body)
        self.assertIn("Email → SMS", log.body)
        self.assertIn("desk@clinic-a.example.com → +34600123456", log.body)
        self.assertNotIn("Front desk", log.body)
        # removal: archived, logged
        self.assertEqual(self._remove(added).status_code, 200)
        self.assertFalse(added.active)
        log = self._log(self.client_a)
        self.assertEqual(len(log), 3)
        self.assertIn("removed", log[0].body)
        self.assertIn("@clinic_owner", log[0].body)
        self.assertNotIn("@clinic_owner", self.url_open("/my/recipients").text)

    def test_tour_change_to_digest(self):
        self.start_tour("/my", "callgest_message_portal_recipient", login="rcp_a")
        self.env.invalidate_all()
        self.assertEqual(self.recipient_a.mode, "digest")
        self.assertIn("Digest", self._log(self.client_a)[0].body)
