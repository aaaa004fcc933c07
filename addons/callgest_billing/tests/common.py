from datetime import date, datetime, timedelta

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CallgestBillingCommon(AccountTestInvoicingCommon):
    """A euro company with the seed tariff as its default, a clinic, a
    collective of two lawyers, and helpers to store and rate calls."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        euro = cls.env.ref("base.EUR")
        euro.active = True
        return super().setup_independent_company(currency_id=euro.id, **kwargs)

    @classmethod
    def get_default_groups(cls):
        # the accountant of the tests also manages the answering service
        return super().get_default_groups() | cls.env.ref(
            "callgest_base.group_callgest_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.tariff = cls.env.ref("callgest_billing.callgest_tariff_default")
        # the seed tariff becomes the default of the test company
        cls.tariff.sudo().company_id = cls.company
        cls.Usage = cls.env["callgest.usage"]
        cls.Invoicing = cls.env["callgest.invoicing"]
        cls.spain = cls.env.ref("base.es")
        cls.clinic = cls.make_client("Billing Clinic", "8801")
        cls.clinic_ddi = cls.make_ddi("93 111 22 01", cls.clinic)
        cls.collective = cls.make_client(
            "Billing Lawyers",
            "8802",
            callgest_client_type="collective",
            callgest_service_level="level_2",
        )
        cls.lawyer_a, cls.lawyer_b = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "parent_id": cls.collective.id,
                    "callgest_is_professional": True,
                }
                for name in ("Lawyer A", "Lawyer B")
            ]
        )
        cls.collective_ddi = cls.make_ddi("91 222 33 01", cls.collective)
        cls.lawyer_b_ddi = cls.make_ddi(
            "91 222 33 02", cls.collective, professional_id=cls.lawyer_b.id
        )
        cls.pbx = cls.env["callgest.pbx"].create(
            {
                "name": "Billing PBX",
                "code": "billing-pbx",
                "timezone": "Europe/Madrid",
                "country_id": cls.spain.id,
            }
        )
        cls.call_count = 0

    @classmethod
    def make_client(cls, name, code, **values):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "is_callgest_client": True,
                "callgest_client_code": code,
                "callgest_service_state": "active",
                "callgest_activation_date": date(2026, 1, 1),
                "country_id": cls.spain.id,
                "tz": "Europe/Madrid",
                **values,
            }
        )

    @classmethod
    def make_ddi(cls, number, client, since=date(2026, 1, 1), **values):
        ddi = cls.env["callgest.ddi"].create(
            {
                "number_entered": number,
                "country_id": cls.spain.id,
                "partner_id": client.id,
                **values,
            }
        )
        ddi.action_activate()
        ddi.activation_date = since
        return ddi

    @classmethod
    def make_call(
        cls,
        client,
        start,
        secretary=0,
        robot=0,
        transfer=0,
        ddi=None,
        professional=None,
        direction="inbound",
        called_number=None,
        rate=True,
    ):
        """A call stored as the importer stores it (and rated, as at import)."""
        cls.call_count += 1
        answer = start + timedelta(seconds=robot) if secretary else None
        end = start + timedelta(seconds=robot + secretary + transfer)
        ddi = ddi or client.callgest_ddi_ids[:1]
        call = (
            cls.env["callgest.call"]
            .sudo()
            .create(
                {
                    "pbx_id": cls.pbx.id,
                    "call_key": f"billing-{cls.call_count}",
                    "company_id": cls.company.id,
                    "direction": direction,
                    "ddi_id": ddi.id,
                    "partner_id": client.id,
                    "professional_id": (professional or ddi.professional_id).id,
                    "caller_number": "+34600111222",
                    "called_number": called_number or ddi.number,
                    "start_time": start,
                    "answer_time": answer,
                    "end_time": end,
                    "local_date": start.date(),
                    "duration": robot + secretary + transfer,
                    "robot_seconds": robot,
                    "secretary_seconds": secretary,
                    "transfer_seconds": transfer,
                    "disposition": "answered" if secretary else "missed",
                    "has_cdr": True,
                }
            )
        )
        if rate:
            cls.env["callgest.usage"]._rate_calls(call)
        return call

    @staticmethod
    def at(day, hour=10):
        return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
