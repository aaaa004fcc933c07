from odoo.tests.common import TransactionCase, new_test_user


class CallgestBaseCommon(TransactionCase):
    """Clients, DDIs and users that do not depend on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_company()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Ddi = cls.env["callgest.ddi"]
        cls.Partner = cls.env["res.partner"]
        cls.spain = cls.env.ref("base.es")
        cls.portugal = cls.env.ref("base.pt")
        cls.chile = cls.env.ref("base.cl")
        cls.secretary = new_test_user(
            cls.env,
            login="test_secretary",
            groups="callgest_base.group_callgest_secretary",
        )
        cls.supervisor = new_test_user(
            cls.env,
            login="test_supervisor",
            groups="callgest_base.group_callgest_supervisor",
        )
        cls.clinic = cls.Partner.create(
            {
                "name": "Test Clinic",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": "9001",
                "country_id": cls.spain.id,
                "tz": "Europe/Madrid",
            }
        )
        cls.law_firm = cls.Partner.create(
            {
                "name": "Test Law Firm",
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_type": "collective",
                "callgest_client_code": "9002",
                "country_id": cls.spain.id,
            }
        )
        cls.lawyer = cls.Partner.create(
            {
                "name": "Test Lawyer",
                "parent_id": cls.law_firm.id,
                "callgest_is_professional": True,
            }
        )
        cls.clinic_ddi = cls.create_ddi("93 390 67 00", cls.spain, cls.clinic)

    @classmethod
    def _setup_company(cls):
        """Hook: switch to another company before any record is created."""

    @classmethod
    def create_ddi(cls, number, country, client=None, state=None, **values):
        ddi = cls.Ddi.create(
            {
                "number_entered": number,
                "country_id": country.id,
                "partner_id": client.id if client else False,
                **values,
            }
        )
        if state == "active" or (client and state is None):
            ddi.action_activate()
        elif state == "reserved":
            ddi.action_reserve()
        return ddi
