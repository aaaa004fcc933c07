from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon

from ..tools import rating


@tagged("post_install", "-at_install")
class TestTariff(CallgestBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.default = cls.env.ref("callgest_billing.callgest_tariff_default")
        # the default tariff of the company the tests run in
        cls.default.company_id = cls.env.company

    def test_default_tariff_is_the_seed(self):
        seed = rating.seed_tariff()
        tariff = self.default._to_rating()
        self.assertEqual(tariff.currency, "EUR")
        self.assertEqual(set(tariff.rates), set(seed.rates))
        for usage, rate in seed.rates.items():
            self.assertEqual(tariff.rate(usage), rate, usage)
        lines = rating.rate_call(
            tariff, secretary_seconds=45, robot_seconds=8, automatic_messages=1
        )
        self.assertEqual(rating.total(lines), Decimal("0.743"))

    def test_client_without_tariff_gets_the_default_and_sees_it(self):
        self.assertFalse(self.clinic.callgest_tariff_id)
        self.assertEqual(self.clinic.callgest_effective_tariff_id, self.default)
        own = self.default.copy({"name": "Clinic tariff", "is_default": False})
        self.clinic.callgest_tariff_id = own
        self.assertEqual(self.clinic.callgest_effective_tariff_id, own)

    def test_one_default_per_company(self):
        with self.assertRaises(ValidationError):
            self.default.copy({"name": "Another default"})

    def test_no_default_is_a_clear_error(self):
        self.default.is_default = False
        with self.assertRaisesRegex(UserError, "no default CallGest tariff"):
            self.env["callgest.tariff"]._default_for(self.env.company)

    def test_bad_rate_refused(self):
        rate = self.default.rate_ids.filtered(lambda r: r.usage == "secretary_l1")
        with self.assertRaisesRegex(ValidationError, "not valid"):
            rate.increment = 0
        with self.assertRaisesRegex(ValidationError, "not valid"):
            rate.price = -1
        outbound = self.default.rate_ids.filtered(lambda r: r.usage == "outbound_fixed")
        with self.assertRaisesRegex(ValidationError, "not valid"):
            outbound.increment = 7
