from datetime import date, timedelta

from freezegun import freeze_time

from odoo.addons.callgest_billing.tests.common import CallgestBillingCommon

OCTOBER = "2026-10"


class FranchiseBillingCommon(CallgestBillingCommon):
    """A franchise network of two franchisees (Barcelona, Madrid) on one
    number, level 1, invoiced per franchisee, with a recipient for its
    recados; helpers to route a caller and store his call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Routing = cls.env["callgest.franchise.routing"].sudo()
        cls.network = cls.make_client(
            "Test Repair Network",
            "8890",
            callgest_client_type="collective",
            callgest_is_franchise_network=True,
            callgest_invoice_grouping="professional",
            callgest_service_level="level_1",
        )
        cls.barcelona, cls.madrid = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "parent_id": cls.network.id,
                    "callgest_is_professional": True,
                }
                for name in ("Repair Barcelona", "Repair Madrid")
            ]
        )
        cls.network_ddi = cls.make_ddi("91 700 88 01", cls.network)
        cls.recipient = cls.env["callgest.recipient"].create(
            {
                "partner_id": cls.network.id,
                "channel": "email",
                "address": "central@repair.example.com",
                "mode": "immediate",
            }
        )

    @classmethod
    def route(cls, franchisee, caller, moment):
        """The secretary routed ``caller`` (as she typed it) at ``moment``."""
        return cls.Routing.create(
            {
                "network_id": cls.network.id,
                "franchisee_id": franchisee.id,
                "company_id": cls.company.id,
                "ddi_id": cls.network_ddi.id,
                "caller_number": caller,
                "query": "08014" if franchisee == cls.barcelona else "28009",
                "reason": "covers" if franchisee else "unknown_place",
                "routed_at": moment,
            }
        )

    @classmethod
    def network_call(cls, caller, start, secretary=0, robot=0, transfer=0, **kw):
        """A call of ``caller`` (E.164, as the importer stores it) on the
        network's number, rated."""
        call = cls.make_call(
            cls.network,
            start,
            secretary,
            robot=robot,
            transfer=transfer,
            ddi=cls.network_ddi,
            rate=False,
        )
        call.write({"caller_number": caller, **kw})
        cls.env["callgest.usage"]._rate_calls(call)
        return call

    @classmethod
    def send_recado(cls, routing, written_by_hand=True):
        """The recado of ``routing``, sent to the network's recipient."""
        message = (
            cls.env["callgest.message"]
            .sudo()
            .create(
                {
                    "ddi_id": cls.network_ddi.id,
                    "professional_id": routing.franchisee_id.id,
                    "caller_number": routing.caller_number,
                    "body": "Broken washing machine, please call back",
                    "written_by_hand": written_by_hand,
                    "taken_at": routing.routed_at,
                }
            )
        )
        routing.message_id = message
        delivery = (
            cls.env["callgest.delivery"]
            .sudo()
            .create(
                {
                    "message_id": message.id,
                    "recipient_id": cls.recipient.id,
                    "channel": "email",
                    "address": cls.recipient.address,
                }
            )
        )
        with freeze_time(routing.routed_at + timedelta(minutes=2)):
            delivery._record_sent("test-provider-id", None)
        return message

    @classmethod
    def october(cls, day, hour=10):
        return cls.at(date(2026, 10, day), hour)
