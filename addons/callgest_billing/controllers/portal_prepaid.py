from werkzeug.exceptions import NotFound

from odoo import Command, http
from odoo.http import request
from odoo.tools.misc import formatLang

from odoo.addons.callgest_base.controllers.portal import CallgestCustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# the only top-ups a client buys on the portal (euros of the company)
PORTAL_TOP_UPS = (20, 30, 50)
MOVES_PER_PAGE = 20


class CallgestPrepaidPortal(CallgestCustomerPortal):
    """The prepaid account of a client at /my/prepaid: balance, bundle calls
    left, its entries, and a top-up of 20, 30 or 50 € that makes the invoice
    to pay on its portal page (Odoo's portal payment, when a payment
    provider is installed). The invoice, once paid, credits the balance
    (account.move._invoice_paid_hook -> callgest.prepaid.move.
    _sync_recharges), once.

    Who: the authorized contacts of a client that is prepaid in the user's
    company (the account of a client is kept per company). The portal group
    reads only the entries of those clients
    (security/callgest_billing_prepaid_portal_rules.xml) and writes nothing:
    the balance is read and the top-up invoice created with sudo here, after
    the authorization is checked."""

    def _callgest_prepaid_clients(self):
        """The prepaid clients the user is an authorized contact of, with
        their settings in the user's company."""
        company = request.env.company
        clients = self._callgest_authorized_clients(
            "changes"
        ) | self._callgest_authorized_clients("notifications")
        return (
            clients.sudo()
            .with_company(company)
            .filtered(lambda client: client.callgest_billing_mode == "prepaid")
        )

    def _callgest_prepaid_client(self, client_id=None):
        """The prepaid client asked for (the first one by default), or 404."""
        clients = self._callgest_prepaid_clients()
        if client_id:
            clients = clients.filtered(lambda client: str(client.id) == str(client_id))
        if not clients:
            raise NotFound()
        return clients[:1]

    def _callgest_prepaid_top_ups(self, client):
        """``{amount: product}``: the company's top-up products of 20, 30
        and 50 € (a plan of calls is not bought here)."""
        offers = client._callgest_prepaid_offers().filtered(
            lambda product: not product.callgest_prepaid_calls
        )
        top_ups = {}
        for amount in PORTAL_TOP_UPS:
            product = offers.filtered(
                lambda product, amount=amount: (
                    product.currency_id.compare_amounts(product.list_price, amount) == 0
                )
            )[:1]
            if product:
                top_ups[amount] = product
        return top_ups

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        # asked by the home's counters (whether the card shows), and when the
        # home is rendered (no counters), for the card's text: Odoo 18 shows
        # no counter in a card
        if "callgest_prepaid_balance" in counters or not counters:
            clients = self._callgest_prepaid_clients()
            # a text ("0,00 €" too): Odoo hides only the cards counting 0
            values["callgest_prepaid_balance"] = (
                formatLang(
                    request.env,
                    clients[:1].callgest_prepaid_balance,
                    currency_obj=request.env.company.currency_id,
                )
                if clients
                else 0
            )
        return values

    @http.route(
        ["/my/prepaid", "/my/prepaid/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_callgest_prepaid(self, page=1, client_id=None, **kw):
        return self._callgest_prepaid_page(
            self._callgest_prepaid_client(client_id), page=page
        )

    def _callgest_prepaid_page(self, client, page=1, error=None):
        company = request.env.company
        # the entries the user may read (the ir.rule), of this client
        Move = request.env["callgest.prepaid.move"]
        domain = [("partner_id", "=", client.id), ("company_id", "=", company.id)]
        count = Move.search_count(domain)
        pager = portal_pager(
            url="/my/prepaid",
            url_args={"client_id": client.id},
            total=count,
            page=page,
            step=MOVES_PER_PAGE,
        )
        moves = Move.search(domain, limit=MOVES_PER_PAGE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "callgest_prepaid",
                "client": client,
                "clients": self._callgest_prepaid_clients(),
                "currency": company.currency_id,
                "balance": client.callgest_prepaid_balance,
                "calls_left": client.callgest_prepaid_calls_left,
                "stopped": client.callgest_prepaid_stopped,
                "moves": moves,
                "kinds": dict(Move._fields["kind"]._description_selection(request.env)),
                "pager": pager,
                "top_ups": self._callgest_prepaid_top_ups(client),
                "tz_name": self._callgest_portal_tz().zone,
                "callgest_local": self._callgest_portal_local,
                "error": error,
            }
        )
        return request.render(
            "callgest_billing.portal_my_callgest_prepaid",
            values,
            status=400 if error else 200,
        )

    @http.route(
        "/my/prepaid/recharge",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_callgest_prepaid_recharge(self, client_id=None, amount=None, **kw):
        env = request.env
        client = self._callgest_prepaid_client(client_id)
        top_ups = self._callgest_prepaid_top_ups(client)
        product = None
        if amount and str(amount).isdigit():
            product = top_ups.get(int(amount))
        if not product:
            # a forged amount, or a top-up the company does not sell
            return self._callgest_prepaid_page(
                client,
                error=env._(
                    "A top-up is of %(amounts)s €: choose one of them.",
                    amounts=", ".join(str(a) for a in (top_ups or PORTAL_TOP_UPS)),
                ),
            )
        company = env.company
        invoice = (
            env["account.move"]
            .sudo()
            .with_company(company)
            .with_context(default_move_type="out_invoice")
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": client.commercial_partner_id.id,
                    "company_id": company.id,
                    "invoice_origin": env._("Portal top-up"),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": 1.0,
                                "price_unit": product.list_price,
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        invoice.message_subscribe(partner_ids=env.user.partner_id.ids)
        invoice.message_post(
            body=env._("Top-up ordered on the portal by %(name)s.", name=env.user.name),
            author_id=env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return request.redirect(invoice.get_portal_url())
