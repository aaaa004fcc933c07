import logging
import random
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

# the demo month: the callers' postal codes, by where they are routed
# (99999 is no postal code: those calls stay with the network)
DEMO_QUERIES = (
    ["08014", "08201", "08902", "17001", "43001", "08014", "08025", "25001"]
    + ["08301", "08014"]  # Barcelona: 10
    + ["28009", "28020", "28801", "19001", "45001", "40001", "28020", "28045"]
    + ["28100", "28009", "28020", "45001"]  # Madrid: 12
    + ["46023", "46001", "12001", "03001", "46023", "03201", "46100", "46023"]
    + ["41018", "41001", "11001", "41018", "11401", "41005"]  # Sevilla: 6
    + ["99999", "99999", "99999", "99999"]  # the network: 4
)
DEMO_KEY = "franchise-demo"


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_callgest_franchise_usage(self):
        """The network's rated usage, by franchisee and month (a pivot)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "callgest_franchise_billing.action_callgest_franchise_usage"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["display_name"] = _("Usage of %(network)s", network=self.name)
        return action

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------
    @api.model
    def _callgest_demo_franchise_month(self):
        """A month of routed calls of the demo network, rated and invoiced.

        Last full month, about 40 calls on the network's number: each routed
        by the franchise router (``callgest.franchise.routing._route``) from
        the caller's postal code, on weekday mornings (every franchisee is
        open), its call stored as the importer stores it a little before the
        routing, some transferred to the franchisee's shop, the others with a
        recado sent to its recipients; then the month is invoiced for the
        network (one invoice per franchisee and the network's own). Made once;
        when callgest_demo is being installed too, its run of last month
        invoices the network after the Spanish chart is loaded."""
        network = self.env.ref(
            "callgest_franchise.network_reparaciones_expres", raise_if_not_found=False
        )
        ddi = self.env.ref(
            "callgest_franchise.ddi_reparaciones_expres", raise_if_not_found=False
        )
        pbx = self.env.ref("callgest_voip.callgest_pbx_demo_main", False)
        if not (network and ddi and pbx):
            return False
        Call = self.env["callgest.call"].sudo()
        if Call.search_count([("call_key", "=like", f"{DEMO_KEY}-%")], limit=1):
            return False
        first = fields.Date.context_today(self).replace(day=1) - relativedelta(months=1)
        period = first.strftime("%Y-%m")
        tz = pytz.timezone(network.tz or "Europe/Madrid")
        days = [
            first + timedelta(days=n)
            for n in range((first + relativedelta(months=1) - first).days)
            if (first + timedelta(days=n)).weekday() < 5
        ]
        chance = random.Random(17)
        Routing = self.env["callgest.franchise.routing"].with_company(ddi.company_id)
        calls = Call.browse()
        for index, query in enumerate(DEMO_QUERIES):
            day = days[index * len(days) // len(DEMO_QUERIES)]
            local = datetime.combine(day, time(9, 30)) + timedelta(
                minutes=chance.randrange(0, 240)
            )
            caller = f"6{chance.randrange(10**7, 10**8):08d}"
            payload = Routing._route(
                network,
                ddi,
                query,
                f"{caller[:3]} {caller[3:6]} {caller[6:]}",
                local.isoformat(),
            )
            routing = Routing.sudo().browse(payload["routing_id"])
            franchisee = routing.franchisee_id
            robot = chance.randrange(8, 20)
            secretary = chance.randrange(45, 240)
            transferred = bool(franchisee) and index % 3 == 0
            transfer = chance.randrange(30, 150) if transferred else 0
            # answered ``robot`` s after it started, routed 25 s later
            start = routing.routed_at - timedelta(seconds=robot + 25)
            end = start + timedelta(seconds=robot + secretary + transfer)
            shop = franchisee.callgest_franchise_transfer_ids[:1].number
            calls |= Call.create(
                {
                    "pbx_id": pbx.id,
                    "call_key": f"{DEMO_KEY}-{period}-{index + 1:02d}",
                    "company_id": ddi.company_id.id or self.env.company.id,
                    "direction": "inbound",
                    "ddi_id": ddi.id,
                    "partner_id": network.id,
                    "caller_number": "+34" + caller,
                    "caller_raw": caller,
                    "called_number": ddi.number,
                    "start_time": start,
                    "answer_time": start + timedelta(seconds=robot),
                    "end_time": end,
                    "local_date": pytz.utc.localize(start).astimezone(tz).date(),
                    "duration": robot + secretary + transfer,
                    "robot_seconds": robot,
                    "secretary_seconds": secretary,
                    "transfer_seconds": transfer,
                    "transfer_to": shop if transferred else False,
                    "disposition": "answered",
                    "has_cdr": True,
                }
            )
            if not transferred:
                self._callgest_demo_recado(routing, end, index)
        self.env["callgest.usage"]._rate_calls(calls)
        self._callgest_demo_invoice(network, period)
        return True

    @api.model
    def _callgest_demo_recado(self, routing, taken_at, index):
        """The recado of a routed call, sent to the franchisee's recipients
        (or the network's) as they were: sent, billed as a message then."""
        Message = self.env["callgest.message"].sudo()
        message = Message.create(
            {
                "ddi_id": routing.ddi_id.id,
                "professional_id": routing.franchisee_id.id,
                "caller_name": _("Customer %(number)s", number=index + 1),
                "caller_number": routing.caller_number,
                "body": _(
                    "Asks for a repair at postal code %(code)s: please call back.",
                    code=routing.query,
                ),
                "callback_requested": True,
                "taken_at": taken_at,
                "state": "to_deliver",
            }
        )
        routing.write({"message_id": message.id})
        recipients = message._delivery_recipients().filtered(
            lambda recipient: recipient._wants(
                message._delivery_category(), message._delivery_is_urgent()
            )
        )
        by_recipient = defaultdict(list)
        for recipient in recipients:
            by_recipient[recipient].append(
                {
                    **message._delivery_link_vals(),
                    "recipient_id": recipient.id,
                    "channel": recipient.channel,
                    "address": recipient.address,
                    "scheduled_at": taken_at,
                    "next_attempt_at": taken_at,
                }
            )
        Delivery = self.env["callgest.delivery"].sudo()
        Event = self.env["callgest.billable.event"].sudo()
        for recipient, vals_list in by_recipient.items():
            deliveries = Delivery.create(vals_list)
            event = Event.create(
                {
                    "partner_id": recipient.partner_id.id,
                    "company_id": recipient.company_id.id or self.env.company.id,
                    "event_type": "message_auto",
                    "channel": recipient.channel,
                    "date": taken_at,
                }
            )
            deliveries.write(
                {"state": "sent", "sent_at": taken_at, "billable_event_id": event.id}
            )
        message._update_delivery_state()
        return message

    @api.model
    def _callgest_demo_invoice(self, network, period):
        """Invoice ``period`` for the demo network; its draft invoices of
        that period without these calls (callgest_demo's run, installed
        first) are made again."""
        Move = self.env["account.move"].sudo()
        partners = network | network.callgest_professional_ids
        drafts = Move.search(
            [
                ("callgest_period", "=", period),
                ("partner_id", "in", partners.ids),
                ("state", "=", "draft"),
            ]
        )
        drafts.unlink()
        demo = (
            self.env["ir.module.module"].sudo().search([("name", "=", "callgest_demo")])
        )
        if demo.state == "to install":
            # its run of last month invoices every client, on the Spanish
            # chart it loads first (an invoice now would keep it from it)
            return
        self.env["callgest.invoicing"].sudo().run_period(period, [network.id])
