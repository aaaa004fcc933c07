from odoo import _, api, models
from odoo.exceptions import UserError

from odoo.addons.callgest_franchise.tools import franchise_routing

# The context key create_recado() passes to callgest.message.create(): the
# routing whose franchisee the recado is for (see models/callgest_message.py)
ROUTING_KEY = "callgest_franchise_routing_id"


class CallgestCallConsole(models.AbstractModel):
    """A franchise network's recado taken in the console goes to the
    franchisee its routing found (``callgest.franchise.routing.route``),
    or stays with the network when the routing says so."""

    _inherit = "callgest.call.console"

    @api.model
    def _franchise_routing(self, values):
        """The ``callgest.franchise.routing`` of ``values`` (its
        ``franchise_routing_id``), checked against the DDI; ``None`` without
        one.

        :raise UserError: for a routing that does not exist, of another
            network than the DDI's client, or that already has its recado.
        """
        routing_id = values.get("franchise_routing_id")
        if not routing_id:
            return None
        self._check_secretary()
        ddi = self.env["callgest.ddi"]._resolve(values.get("ddi_number") or "")
        if not ddi or not ddi.partner_id:
            raise UserError(_("Look up a known DDI before taking the call."))
        try:
            routing_id = int(routing_id)
        except (TypeError, ValueError) as error:
            raise UserError(
                _("%(value)s is not a franchise routing.", value=routing_id)
            ) from error
        routing = self.env["callgest.franchise.routing"].browse(routing_id).exists()
        if not routing:
            raise UserError(
                _("This franchise routing does not exist: find the franchisee again.")
            )
        if routing.network_id != ddi.partner_id:
            raise UserError(
                _(
                    "This routing is of %(network)s, not of %(client)s, who "
                    "answers on %(number)s: find the franchisee again.",
                    network=routing.network_id.name,
                    client=ddi.partner_id.name,
                    number=ddi.number_international,
                )
            )
        if routing.message_id:
            raise UserError(
                _(
                    "This routing already has its recado, %(recado)s: find the "
                    "franchisee again for another one.",
                    recado=routing.message_id.name,
                )
            )
        return routing

    @api.model
    def _franchise_where(self, routing):
        """Where the caller is, as the routing found it: "postal code 45001",
        "Toledo, postal code 45001" for a town, or what the caller said."""
        code = routing.postal_code
        if not code:
            return routing.query
        if franchise_routing.postal_code(routing.query) == code or not routing.place:
            return _("postal code %(postal_code)s", postal_code=code)
        return _(
            "%(place)s, postal code %(postal_code)s",
            place=routing.place,
            postal_code=code,
        )

    @api.model
    def _franchise_line(self, routing):
        """The recado's first line: whom the call was routed to."""
        where = self._franchise_where(routing)
        if routing.franchisee_id:
            return _(
                "Routed to %(franchisee)s (%(where)s)",
                franchisee=routing.franchisee_id.name,
                where=where,
            )
        return _(
            "For the network %(network)s, no franchisee (%(where)s)",
            network=routing.network_id.name,
            where=where,
        )

    @api.model
    def create_recado(self, values):
        """The console's recado; with ``franchise_routing_id`` (a routing of
        the DDI's network), for the franchisee it found (``professional_id``,
        so that its own recipients get it) or for the network, its body
        starting with a line saying so, and the routing's ``message_id``
        set.

        :return: the base's ``{"id", "name"}`` plus ``franchisee``, the name
            of the franchisee (``False``: the network, or no routing).
        """
        routing = self._franchise_routing(values)
        if routing is None:
            return dict(super().create_recado(values), franchisee=False)
        body = (values.get("body") or "").strip()
        line = self._franchise_line(routing)
        values = dict(values, body=f"{line}\n{body}" if body else line)
        result = super(
            CallgestCallConsole, self.with_context(**{ROUTING_KEY: routing.id})
        ).create_recado(values)
        # the secretary reads routings; the router writes them
        routing.sudo().message_id = result["id"]
        return dict(result, franchisee=routing.franchisee_id.name or False)
