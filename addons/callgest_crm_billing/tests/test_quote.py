import base64
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.callgest_billing.tests.common import CallgestBillingCommon

from .common import always_open

SAMPLES = Path(__file__).resolve().parents[2] / "callgest_voip/tests/data"
RING_GROUP = "asterisk-ringgroup-linkedid.csv"
D = Decimal


def cents(value):
    """Rounded as the currency is: half away from zero."""
    return D(value).quantize(D("0.01"), ROUND_HALF_UP)


@tagged("post_install", "-at_install")
class QuoteCommon(CallgestBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="quote_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="quote_other_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.lead = cls.make_lead("Quote Dental", cls.salesman)
        # every hour open: a quote of the sample without out-of-hours calls
        cls.always_open = always_open(cls.env, company_id=cls.company.id)

    @classmethod
    def make_lead(cls, name, user, **values):
        return cls.env["crm.lead"].create(
            {
                "name": f"Answering service for {name}",
                "type": "opportunity",
                "partner_name": name,
                "email_from": "prospect@quote.example.com",
                "user_id": user.id,
                "company_id": cls.company.id,
                **values,
            }
        )

    def wizard(self, lead=None, user=None, **values):
        lead = lead or self.lead
        return (
            self.env["callgest.quote.wizard"]
            .with_user(user or self.salesman)
            .with_context(default_lead_id=lead.id)
            .create(values)
        )

    def quote(self, lead=None, user=None, **values):
        action = self.wizard(lead, user, **values).action_quote()
        return self.env["callgest.quote"].browse(action["res_id"])

    def profile(self, **values):
        return self.quote(
            source="profile",
            resource_calendar_id=False,
            **{
                "calls_per_day": 20,
                "average_seconds": 120,
                "out_of_hours_percent": 10,
                "messages_per_day": 5,
                "transfers_per_day": 2,
                "transfer_destination": "fixed",
                "average_transfer_seconds": 60,
                **values,
            },
        )

    def sample(self, data, name="calls.csv", **values):
        return self.quote(
            source="sample",
            sample_file=base64.b64encode(data),
            sample_file_name=name,
            **values,
        )

    @staticmethod
    def amounts(quote):
        return {line.usage: cents(str(line.amount)) for line in quote.line_ids}


class TestProfileQuote(QuoteCommon):
    def test_profile_by_hand(self):
        """20 calls a day of 120 s, 10 % out of hours, 5 messages and two
        60 s transfers to a fixed line a day, one DDI, an average month of
        21.75 working days, at the seed tariff."""
        quote = self.profile()
        calls = D(20) * D("21.75")  # 435 a month
        expected = {
            # 90 % of 435 calls × 120 s at 0.013 €/s
            "secretary_l1": cents(calls * D("0.9") * 120 * D("0.013")),
            # the other 10 %, the robot's, at 0.001 €/s
            "robot": cents(calls * D("0.1") * 120 * D("0.001")),
            # 2 × 21.75 transfers × 60 s at 0.002 €/s
            "transfer_fixed": cents(2 * D("21.75") * 60 * D("0.002")),
            # 5 × 21.75 messages at 0.30 €
            "message_manual": cents(5 * D("21.75") * D("0.30")),
            "ddi": D("9.00"),
        }
        self.assertEqual(
            expected,
            {
                "secretary_l1": D("610.74"),
                "robot": D("5.22"),
                "transfer_fixed": D("5.22"),
                "message_manual": D("32.63"),
                "ddi": D("9.00"),
            },
        )
        self.assertEqual(self.amounts(quote), expected)
        self.assertEqual(cents(str(quote.monthly_estimate)), D("662.81"))
        self.assertEqual(quote.setup_fee, 95)
        self.assertEqual(cents(str(quote.deposit)), D("662.81"))
        self.assertLessEqual(quote.estimate_low, quote.monthly_estimate)
        self.assertGreaterEqual(quote.estimate_high, quote.monthly_estimate)
        self.assertLess(quote.estimate_low, quote.estimate_high)
        self.assertEqual(self.lead.callgest_quote_id, quote)
        # a year of the estimate and the setup fee: 662.81 × 12 + 95
        self.assertAlmostEqual(self.lead.expected_revenue, 8048.72, places=2)
        self.assertAlmostEqual(self.lead.recurring_revenue, 662.81, places=2)
        self.assertIn(quote.name, self.lead.message_ids[0].body)

    def test_minimum_top_up(self):
        """One 60 s call a day: 21.75 × 60 s × 0.013 = 16.97 and the DDI's
        9.00 are topped up to the minimum of 60.00; the deposit is a month,
        at least the minimum."""
        quote = self.profile(
            calls_per_day=1,
            average_seconds=60,
            out_of_hours_percent=0,
            messages_per_day=0,
            transfers_per_day=0,
            average_transfer_seconds=0,
        )
        self.assertEqual(
            self.amounts(quote),
            {
                "secretary_l1": D("16.97"),
                "ddi": D("9.00"),
                "minimum": D("34.03"),
            },
        )
        self.assertEqual(cents(str(quote.monthly_estimate)), D("60.00"))
        self.assertEqual(cents(str(quote.deposit)), D("60.00"))

    def test_level_two_and_agenda(self):
        quote = self.profile(
            service_level="level_2",
            agenda_modules=2,
            out_of_hours_percent=0,
            messages_per_day=0,
            transfers_per_day=0,
            average_transfer_seconds=0,
        )
        amounts = self.amounts(quote)
        self.assertEqual(amounts["secretary_l2"], cents(435 * 120 * D("0.014")))
        self.assertEqual(amounts["agenda_module"], D("18.00"))
        self.assertNotIn("secretary_l1", amounts)

    def test_bad_profiles_create_nothing(self):
        before = self.env["callgest.quote"].search_count([])
        revenue = self.lead.expected_revenue
        cases = [
            ({"calls_per_day": -1}, "cannot be negative"),
            ({"average_seconds": -30}, "cannot be negative"),
            ({"calls_per_day": 1_000_000}, "check the figure"),
            ({"out_of_hours_percent": 150}, "check the figure"),
            ({"transfers_per_day": 2, "average_transfer_seconds": 0}, "transfer"),
            ({"ddis": 0}, "at least one DDI"),
            ({"ddis": -2}, "cannot be negative"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                with self.assertRaisesRegex((UserError, ValidationError), message):
                    self.profile(**values)
        self.assertEqual(self.env["callgest.quote"].search_count([]), before)
        self.assertEqual(self.lead.expected_revenue, revenue)
        self.assertFalse(self.lead.callgest_quote_id)

    def test_message_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_crm_billing"], ["es_ES"], overwrite=True
        )
        self.salesman.lang = "es_ES"
        with self.assertRaisesRegex(ValidationError, "no puede ser negativ"):
            self.profile(calls_per_day=-1)


class TestSampleQuote(QuoteCommon):
    def test_ring_group_sample_by_hand(self):
        """The shared ring-group sample, always open, in UTC: 36 calls of
        84 rows, 790 s of secretary (level 1, 0.013 €/s) and 94 s of the
        PBX's own messages (robot, 0.001 €/s) over two days, brought to an
        average month of 30.4375 days; the DDI 9 €, above the minimum."""
        quote = self.sample(
            (SAMPLES / RING_GROUP).read_bytes(),
            RING_GROUP,
            resource_calendar_id=self.always_open.id,
            tz="UTC",
        )
        self.assertEqual(
            (quote.sample_format, quote.rows_in, quote.calls_count),
            ("asterisk", 84, 36),
        )
        self.assertEqual((quote.bad_rows_count, quote.duplicate_rows), (0, 0))
        self.assertEqual(
            (quote.sample_first_day, quote.sample_last_day),
            (date(2024, 1, 27), date(2024, 1, 28)),
        )
        scale = D("30.4375") / 2
        secretary = cents(790 * D("0.013") * scale)
        robot = cents(94 * D("0.001") * scale)
        self.assertEqual((secretary, robot), (D("156.30"), D("1.43")))
        self.assertEqual(
            self.amounts(quote),
            {"secretary_l1": secretary, "robot": robot, "ddi": D("9.00")},
        )
        self.assertEqual(cents(str(quote.monthly_estimate)), D("166.73"))
        self.assertEqual(quote.setup_fee, 95)
        self.assertEqual(cents(str(quote.deposit)), D("166.73"))
        # the first calls explained, by the invoice's own explanation
        self.assertEqual(
            quote.explanations.splitlines()[0], "27 s robot × 0.001 = 0.027 €"
        )
        self.assertEqual(
            quote.explanations.splitlines()[1:],
            [
                "27 s robot × 0.001 = 0.027 €",
                "10 s robot × 0.001 = 0.01 €",
                "10 s robot × 0.001 = 0.01 €",
                "17 s secretary level 1 × 0.013 = 0.221 €",
            ],
        )

    def test_out_of_hours_go_to_the_robot(self):
        """The sample is a Saturday and a Sunday: in office hours (Monday to
        Friday) in Madrid, the robot takes every call whole, 1141 s of the
        36 calls' durations at 0.001 €/s, brought to the average month; with
        the DDI, below the minimum."""
        office = self.env["resource.calendar"].create(
            {"name": "Office", "company_id": self.company.id, "tz": "Europe/Madrid"}
        )
        quote = self.sample(
            (SAMPLES / RING_GROUP).read_bytes(),
            resource_calendar_id=office.id,
            tz="Europe/Madrid",
        )
        robot = cents(1141 * D("0.001") * D("30.4375") / 2)
        self.assertEqual(robot, D("17.36"))
        self.assertEqual(
            self.amounts(quote),
            {"robot": robot, "ddi": D("9.00"), "minimum": D("60.00") - robot - 9},
        )
        self.assertEqual(cents(str(quote.monthly_estimate)), D("60.00"))

    def test_plain_csv(self):
        data = (
            "Fecha;Hora;Duración\n"
            "12/01/2026;10:00;2:00\n"
            "12/01/2026;11:00;60\n"
            "13/01/2026;10:00;120\n"
        ).encode()
        quote = self.sample(
            data, resource_calendar_id=self.always_open.id, tz="Europe/Madrid"
        )
        self.assertEqual((quote.sample_format, quote.calls_count), ("plain", 3))
        # 300 s over two days at 0.013, to 30.4375 days
        self.assertEqual(
            self.amounts(quote)["secretary_l1"],
            cents(300 * D("0.013") * D("30.4375") / 2),
        )

    def test_bad_rows_kept_and_counted(self):
        lines = (SAMPLES / RING_GROUP).read_bytes().splitlines()
        data = b"\n".join([*lines[:10], b"not a cdr line", b'"open quote,1'])
        quote = self.sample(data, resource_calendar_id=self.always_open.id, tz="UTC")
        self.assertEqual(quote.bad_rows_count, 2)
        self.assertEqual(quote.issue_ids.mapped("line_number"), [11, 12])
        self.assertEqual(quote.issue_ids[0].raw, "not a cdr line")
        self.assertTrue(all(quote.issue_ids.mapped("reason")))
        self.assertEqual(quote.rows_in, 12)

    def test_bad_files_create_nothing(self):
        before = self.env["callgest.quote"].search_count([])
        cases = [
            (b"", "Choose the file"),
            (b"   \n\n", "is empty"),
            (b"garbage\nmore garbage\n", "cannot be quoted|no call to quote"),
            (b"fecha;hora;cliente\n12/01/2026;10:00;x\n", "No duration column"),
            (b"fecha;hora;duracion\n31/02/2026;10:00;60\n", "no call to quote"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                with self.assertRaisesRegex(UserError, message):
                    self.sample(data, "bad.csv")
        with self.assertRaisesRegex(UserError, "Choose the file"):
            self.quote(source="sample")
        self.assertEqual(self.env["callgest.quote"].search_count([]), before)
        self.assertFalse(self.lead.callgest_quote_id)

    def test_unreadable_file_reason_in_spanish(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_voip", "callgest_crm_billing"], ["es_ES"], overwrite=True
        )
        self.salesman.lang = "es_ES"
        with self.assertRaisesRegex(UserError, "Fecha de start incorrecta|incorrecta"):
            self.sample(b"fecha;hora;duracion\n31/02/2026;10:00;60\n", "malo.csv")


class TestQuoteDocuments(QuoteCommon):
    def test_report_in_the_prospects_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["callgest_billing", "callgest_crm_billing"], ["es_ES"], overwrite=True
        )
        self.lead.lang_id = self.env["res.lang"]._lang_get("es_ES")
        quote = self.profile()
        self.assertEqual(quote.lang, "es_ES")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("callgest_crm_billing.report_callgest_quote", quote.ids)[
                0
            ]
            .decode()
        )
        self.assertIn(quote.name, html)
        self.assertIn("662,81", html)
        self.assertIn("Presupuesto", html)

    def test_composer_attaches_the_pdf(self):
        quote = self.profile()
        action = quote.with_user(self.salesman).action_send()
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(len(composer.attachment_ids), 1)
        # the quote's report (tests render it as HTML, not through wkhtmltopdf)
        self.assertRegex(
            composer.attachment_ids.name, rf"^Quote {quote.name}\.(pdf|html)$"
        )
        self.assertIn(b"662", composer.attachment_ids.raw)
        self.assertIn(quote.name, composer.subject)
        composer.action_send_mail()
        message = self.lead.message_ids.filtered(
            lambda message: message.attachment_ids
        )[:1]
        self.assertEqual(message.attachment_ids.name, composer.attachment_ids.name)
        self.assertEqual(
            message.partner_ids.mapped("email"), ["prospect@quote.example.com"]
        )

    def test_send_without_quote(self):
        with self.assertRaisesRegex(UserError, "no quote yet"):
            self.make_lead("Unquoted", self.salesman).action_callgest_send_quote()


class TestQuoteSecurity(QuoteCommon):
    def test_other_salesmans_quotes(self):
        quote = self.profile()
        Quote = self.env["callgest.quote"].with_user(self.other_salesman)
        self.assertFalse(Quote.search([("id", "=", quote.id)]))
        with self.assertRaises(AccessError):
            Quote.browse(quote.id).read(["monthly_estimate"])
        # nor quote an opportunity that is not his
        with self.assertRaises(AccessError):
            self.quote(user=self.other_salesman, source="profile", calls_per_day=1)

    def test_salesman_cannot_edit_the_figures(self):
        quote = self.profile()
        with self.assertRaises(AccessError):
            quote.with_user(self.salesman).write({"monthly_estimate": 1})
        with self.assertRaises(AccessError):
            quote.with_user(self.salesman).unlink()

    def test_other_company(self):
        other = self.setup_other_company(name="Quote Other Co")["company"]
        quote = self.profile()
        manager = new_test_user(
            self.env,
            login="quote_other_manager",
            groups="sales_team.group_sale_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(
            self.env["callgest.quote"]
            .with_user(manager)
            .search([("id", "=", quote.id)])
        )
        with self.assertRaises(AccessError):
            self.env["callgest.quote"].with_user(manager).browse(quote.id).read(
                ["monthly_estimate"]
            )
        # a tariff of the quote's company for a lead of another: refused
        other_lead = self.make_lead("Other Co Lead", manager, company_id=other.id)
        with self.assertRaises(UserError):
            self.env["callgest.quote"].with_company(other)._callgest_quote(
                other_lead,
                {"source": "profile", "calls_per_day": 1, "tariff_id": self.tariff.id},
            )


class TestPublicQuote(QuoteCommon):
    def public_quote(self, email="visitor@public.example.com", ip="10.0.0.1"):
        return self.env["callgest.quote"]._callgest_public_quote(
            {"name": "Visitor", "company": "Visiting SL", "email": email},
            {"calls_per_day": 10, "average_seconds": 120, "ddis": 1},
            ip=ip,
        )

    def test_creates_a_lead_with_its_quote(self):
        quote = self.public_quote()
        self.assertEqual(quote.origin, "public")
        self.assertEqual(quote.lead_id.email_from, "visitor@public.example.com")
        self.assertEqual(quote.lead_id.callgest_quote_id, quote)
        self.assertFalse(quote.lead_id.user_id)
        self.assertEqual(
            cents(str(quote.monthly_estimate)),
            cents(10 * D("21.75") * 120 * D("0.013")) + D("9.00"),
        )

    def test_limit_per_email_and_per_ip(self):
        for _index in range(3):
            self.public_quote(email="flood@public.example.com", ip="10.0.0.2")
        leads = self.env["crm.lead"].search_count(
            [("email_from", "=", "flood@public.example.com")]
        )
        with self.assertRaisesRegex(UserError, "already asked"):
            self.public_quote(email="flood@public.example.com", ip="10.0.0.3")
        self.env["ir.config_parameter"].sudo().set_param(
            "callgest_crm_billing.public_quotes_per_ip", "4"
        )
        self.public_quote(email="other@public.example.com", ip="10.0.0.2")
        with self.assertRaisesRegex(UserError, "Too many quotes"):
            self.public_quote(email="third@public.example.com", ip="10.0.0.2")
        self.assertEqual(
            self.env["crm.lead"].search_count(
                [("email_from", "=", "flood@public.example.com")]
            ),
            leads,
        )

    def test_bad_contact_or_profile_creates_nothing(self):
        leads = self.env["crm.lead"].search_count([])
        with self.assertRaisesRegex(UserError, "valid email"):
            self.env["callgest.quote"]._callgest_public_quote(
                {"name": "X", "email": "not-an-email"}, {"calls_per_day": 1}
            )
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.env["callgest.quote"]._callgest_public_quote(
                {"name": "X", "email": "x@public.example.com"}, {"calls_per_day": -5}
            )
        self.assertEqual(self.env["crm.lead"].search_count([]), leads)


class TestQuoteOnALead(QuoteCommon):
    def test_a_lead_not_yet_an_opportunity_is_quoted(self):
        """With leads in use, the prospect's first record is a lead: its form
        offers the quote too, and the quote sets its revenue."""
        lead = self.make_lead("Lead Dental", self.salesman, type="lead")
        arch = lead.with_user(self.salesman).get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        self.assertIn('name="action_callgest_quote"', arch)
        self.assertNotIn(
            "type == 'lead'", arch.split('name="action_callgest_quote"')[1][:200]
        )
        quote = self.quote(
            lead=lead, source="profile", calls_per_day=1, average_seconds=60
        )
        self.assertEqual(lead.callgest_quote_id, quote)
        self.assertAlmostEqual(lead.expected_revenue, 60.0 * 12 + 95, places=2)
