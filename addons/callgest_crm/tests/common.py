from odoo import Command
from odoo.tests.common import new_test_user

from odoo.addons.callgest_base.tests.common import CallgestBaseCommon


class CallgestCrmCommon(CallgestBaseCommon):
    """Won opportunities, salesmen and a stock of DDIs, without demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lead = cls.env["crm.lead"]
        cls.france = cls.env.ref("base.fr")
        cls.salesman = new_test_user(
            cls.env,
            login="test_crm_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.sales_supervisor = new_test_user(
            cls.env,
            login="test_crm_supervisor",
            groups="callgest_base.group_callgest_supervisor,"
            "sales_team.group_sale_salesman",
        )
        cls.open_stage = cls.env["crm.stage"].create(
            {"name": "Test Proposal", "sequence": 900}
        )
        cls.won_stage = cls.env["crm.stage"].create(
            {"name": "Test Won", "sequence": 901, "is_won": True}
        )
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Test Lyon hours", "tz": "Europe/Paris"}
        )
        # France: no demo number lives there, so the stock is ours.
        cls.stock_fr = cls.create_ddi("04 78 42 10 02", cls.france)
        cls.stock_fr_first = cls.create_ddi("04 78 42 10 01", cls.france)
        cls.stock_es = cls.create_ddi("93 745 10 01", cls.spain)
        cls.won_lead = cls.create_lead()

    @classmethod
    def _setup_company(cls):
        # The tariff is in euros: in a company invoicing in euros it is exact.
        # A company of its own, since with accounting installed the currency
        # of a company that has journal items cannot change.
        # Always: the demo company (callgest_demo) is in euros but has a
        # chart of accounts, so that onboarding would invoice the deposit.
        cls.euro = cls.env.ref("base.EUR")
        cls.euro.active = True
        company = cls.env["res.company"].create(
            {
                "name": "Test CallGest EUR",
                "currency_id": cls.euro.id,
                "country_id": cls.env.ref("base.es").id,
            }
        )
        cls.env.user.write(
            {"company_ids": [Command.link(company.id)], "company_id": company.id}
        )
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[company.id])
        )

    @classmethod
    def create_lead(cls, won=True, **values):
        return cls.Lead.create(
            {
                "name": "Answering service for the physiotherapy centre",
                "type": "opportunity",
                "partner_name": "Test Kiné Lyon",
                "contact_name": "Claire Martin",
                "email_from": "claire.martin@kine-lyon.example.com",
                "phone": "+33 4 78 42 99 99",
                "city": "Lyon",
                "country_id": cls.france.id,
                "lang_id": cls.env.ref("base.lang_en").id,
                "stage_id": (cls.won_stage if won else cls.open_stage).id,
                "user_id": cls.sales_supervisor.id,
                **values,
            }
        )

    def onboarding_wizard(self, lead=None, user=None, **values):
        """A wizard as the onboarding button opens it, with its defaults."""
        lead = lead or self.won_lead
        Wizard = self.env["callgest.onboarding.wizard"].with_user(
            user or self.sales_supervisor
        )
        return Wizard.with_context(default_lead_id=lead.id).create(values)
