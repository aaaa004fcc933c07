from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CallgestBaseCommon


@tagged("post_install", "-at_install")
class TestDdiAssignWizard(CallgestBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.Ddi.browse()
        for number in ("93 390 67 70", "93 390 67 71", "93 390 67 72"):
            cls.stock |= cls.create_ddi(number, cls.spain)
        # France: no demo number lives there, so the stock counts are ours.
        cls.france = cls.env.ref("base.fr")
        cls.stock_fr = cls.create_ddi("01 42 68 53 00", cls.france)

    def _wizard(self, **context):
        return Form(
            self.env["callgest.ddi.assign.wizard"]
            .with_user(self.supervisor)
            .with_context(**context)
        )

    def test_assign_selected_ddis_in_bulk(self):
        wizard_form = self._wizard(
            active_model="callgest.ddi", active_ids=self.stock[:2].ids
        )
        wizard_form.partner_id = self.clinic
        wizard_form.save().action_assign()
        self.assertEqual(self.stock[:2].mapped("state"), ["active", "active"])
        self.assertEqual(self.stock[:2].partner_id, self.clinic)
        self.assertEqual(self.stock[2].state, "available")

    def test_assign_a_quantity_from_stock(self):
        wizard_form = self._wizard()
        wizard_form.partner_id = self.law_firm
        wizard_form.professional_id = self.lawyer
        wizard_form.country_id = self.france
        wizard_form.target_state = "reserved"
        wizard_form.quantity = 1
        self.assertEqual(wizard_form.available_count, 1)
        wizard_form.save().action_assign()
        self.assertEqual(self.stock_fr.state, "reserved")
        self.assertEqual(self.stock_fr.professional_id, self.lawyer)

    def test_not_enough_stock(self):
        wizard_form = self._wizard()
        wizard_form.partner_id = self.clinic
        wizard_form.country_id = self.france
        wizard_form.quantity = 5
        with self.assertRaises(UserError):
            wizard_form.save().action_assign()
        self.assertEqual(self.stock_fr.state, "available")

    def test_numbers_already_assigned_are_refused(self):
        wizard = self.env["callgest.ddi.assign.wizard"].create(
            {"partner_id": self.law_firm.id, "ddi_ids": [(6, 0, self.clinic_ddi.ids)]}
        )
        with self.assertRaises(UserError):
            wizard.action_assign()
        self.assertEqual(self.clinic_ddi.partner_id, self.clinic)
