from odoo.tests import tagged

from .common import CallgestCrmCommon


@tagged("post_install", "-at_install")
class TestOnboardingLanguage(CallgestCrmCommon):
    """The wizard proposes the client's language, not the salesperson's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lang = cls.env["res.lang"]
        for code in ("es_ES", "pt_PT", "fr_FR"):
            Lang._activate_lang(code)
        # the Chilean variant is not installed: Chile gets the usual Spanish
        chilean = Lang.with_context(active_test=False).search([("code", "=", "es_CL")])
        chilean.filtered("active").active = False
        # a salesperson who works in French
        cls.sales_supervisor.lang = "fr_FR"
        cls.env.company.partner_id.lang = "es_ES"  # the provider's language
        cls.chile = cls.env.ref("base.cl")
        cls.japan = cls.env.ref("base.jp")

    def french_wizard(self, lead):
        """The wizard as the French-speaking salesperson opens it."""
        Wizard = self.env["callgest.onboarding.wizard"].with_user(self.sales_supervisor)
        return Wizard.with_context(lang="fr_FR", default_lead_id=lead.id).create({})

    def proposed_lang(self, **lead_values):
        lead = self.create_lead(**{"lang_id": False, **lead_values})
        return self.french_wizard(lead).lang

    def test_the_leads_language_first(self):
        spanish = self.env.ref("base.lang_es")
        self.assertEqual(
            self.proposed_lang(lang_id=spanish.id, country_id=self.portugal.id),
            "es_ES",
        )

    def test_else_the_language_of_the_leads_country(self):
        for country, expected in (
            (self.portugal, "pt_PT"),
            (self.spain, "es_ES"),
            (self.france, "fr_FR"),
            (self.chile, "es_ES"),  # es_CL not installed
        ):
            with self.subTest(country=country.code):
                self.assertEqual(self.proposed_lang(country_id=country.id), expected)

    def test_a_language_not_installed_is_passed_over(self):
        finnish = self.env.ref("base.lang_fi")
        self.assertFalse(finnish.active)
        self.assertEqual(
            self.proposed_lang(lang_id=finnish.id, country_id=self.portugal.id),
            "pt_PT",
        )

    def test_without_a_country_the_companys(self):
        # the client's country falls back on the company's: Spain (not the
        # provider's language, nor the salesperson's)
        self.env.company.partner_id.lang = "pt_PT"
        self.assertEqual(self.proposed_lang(country_id=False), "es_ES")

    def test_no_language_of_the_country_installed_the_providers(self):
        self.env.company.partner_id.lang = "pt_PT"
        self.assertEqual(self.proposed_lang(country_id=self.japan.id), "pt_PT")

    def test_onboarding_gives_the_client_its_language(self):
        lead = self.create_lead(lang_id=False, country_id=self.portugal.id)
        stock_pt = self.create_ddi("223 390 112", self.portugal)
        wizard = self.french_wizard(lead)
        wizard.write({"ddi_id": stock_pt.id, "client_code": "3512"})
        wizard.action_onboard()
        client = lead.partner_id
        self.assertEqual(client.lang, "pt_PT")
        self.assertEqual(client.child_ids.mapped("lang"), ["pt_PT"])
