import phonenumbers

from odoo.tests import BaseCase

from ..tools import phone_numbers


class TestPhoneNumbers(BaseCase):
    """The plain-Python number helpers, without database."""

    def test_describe_spanish_fixed_line(self):
        info = phone_numbers.describe(phonenumbers.parse("93 390 67 00", "ES"))
        self.assertEqual(info.e164, "+34933906700")
        self.assertEqual(info.digits, "34933906700")
        self.assertEqual(info.national_digits, "933906700")
        self.assertEqual(info.national, "933 90 67 00")
        self.assertEqual(info.international, "+34 933 90 67 00")
        self.assertEqual(info.region, "ES")
        self.assertEqual(info.number_type, "fixed_line")

    def test_describe_number_types(self):
        cases = {
            ("900 123 456", "ES"): "toll_free",
            ("902 123 456", "ES"): "shared_cost",
            ("803 123 456", "ES"): "premium_rate",
            ("627 561 091", "ES"): "mobile",
            ("217 123 456", "PT"): "fixed_line",
            ("800 123 456", "PT"): "toll_free",
            ("+56 9 6123 4567", None): "fixed_line_or_mobile",
        }
        for (number, region), expected in cases.items():
            with self.subTest(number=number):
                info = phone_numbers.describe(phonenumbers.parse(number, region))
                self.assertEqual(info.number_type, expected)

    def test_clean_raw_number(self):
        self.assertEqual(phone_numbers.clean_raw_number(" 93 390-67.00 "), "933906700")
        self.assertEqual(
            phone_numbers.clean_raw_number("sip:+34933906700@pbx.local;user=phone"),
            "+34933906700",
        )
        self.assertEqual(
            phone_numbers.clean_raw_number("tel:+351217000301"), "+351217000301"
        )
        self.assertEqual(phone_numbers.clean_raw_number("anonymous"), "")
        self.assertEqual(phone_numbers.clean_raw_number(None), "")

    def test_lookup_keys_for_every_written_form(self):
        self.assertEqual(
            phone_numbers.lookup_keys("+34 933 906 700"), (("34933906700",), ())
        )
        self.assertEqual(
            phone_numbers.lookup_keys("0034933906700"), (("34933906700",), ())
        )
        self.assertEqual(
            phone_numbers.lookup_keys("93 390 67 00"), (("933906700",), ("933906700",))
        )
        full, national = phone_numbers.lookup_keys("0217000301")
        self.assertIn("217000301", national)
        self.assertEqual(phone_numbers.lookup_keys(""), ((), ()))

    def test_search_digits(self):
        self.assertEqual(phone_numbers.search_digits("+34 933 906 700"), "34933906700")
        self.assertEqual(phone_numbers.search_digits("0034933906700"), "34933906700")
        self.assertEqual(phone_numbers.search_digits("93 390 67 00"), "933906700")
