from odoo.tests import BaseCase

from ..tools.languages import country_language

INSTALLED = ["en_US", "es_ES", "pt_PT", "pt_BR", "fr_FR", "fr_BE", "nl_BE", "es_CL"]


class TestCountryLanguage(BaseCase):
    """The language proposed for a client of a country, without a database."""

    def test_the_country_variant_first(self):
        for country, expected in (
            ("ES", "es_ES"),
            ("PT", "pt_PT"),
            ("BR", "pt_BR"),
            ("CL", "es_CL"),
            ("FR", "fr_FR"),
            # two official languages: in babel's order (Dutch, then French)
            ("BE", "nl_BE"),
            ("US", "en_US"),
            ("es", "es_ES"),  # any case
        ):
            with self.subTest(country=country):
                self.assertEqual(country_language(country, INSTALLED), expected)

    def test_else_the_usual_variant_of_its_language(self):
        # as Odoo reads a bare language (babel's LOCALE_ALIASES)
        for country, installed, expected in (
            ("CL", ["en_US", "es_ES", "pt_BR"], "es_ES"),
            ("MX", ["en_US", "es_ES"], "es_ES"),
            ("AO", ["pt_BR", "pt_PT"], "pt_PT"),
            ("IE", ["en_GB", "en_US"], "en_US"),
            # no usual variant installed: another variant of the language
            ("AR", ["en_US", "es_419"], "es_419"),
            ("CH", ["en_US", "fr_BE"], "fr_BE"),
            ("XK", ["en_US", "sr@latin"], "sr@latin"),
        ):
            with self.subTest(country=country, installed=installed):
                self.assertEqual(country_language(country, installed), expected)

    def test_none_when_nothing_fits(self):
        for country, installed in (
            ("JP", INSTALLED),  # Japanese not installed
            ("AQ", INSTALLED),  # no official language
            ("ZZ", INSTALLED),  # not a country
            ("", INSTALLED),
            (None, INSTALLED),
            ("ES", []),
        ):
            with self.subTest(country=country, installed=installed):
                self.assertIsNone(country_language(country, installed))
