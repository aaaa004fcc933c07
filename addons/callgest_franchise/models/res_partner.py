from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.callgest_protocols.tools import routing as hours

from ..tools import franchise_routing

FALLBACKS = [
    (franchise_routing.NEXT_OPEN, "The next nearest open franchisee"),
    (franchise_routing.NETWORK, "A recado to the network"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the network: a collective client whose professionals are franchisees
    callgest_is_franchise_network = fields.Boolean(
        string="Franchise network",
        tracking=True,
        help="A franchise chain with one number: each call goes to the franchisee "
        "that covers the caller's postal code, or the nearest one, and is "
        "charged to it.",
    )
    callgest_franchise_fallback = fields.Selection(
        FALLBACKS,
        string="When the franchisee is closed",
        default=franchise_routing.NEXT_OPEN,
        help="Where a call goes when the franchisee that covers the caller, or "
        "the nearest one, is closed at that hour.",
    )
    # a franchisee: a professional of the network
    callgest_franchise_area_ids = fields.One2many(
        "callgest.franchise.area", "franchisee_id", string="Areas covered"
    )
    callgest_franchise_transfer_ids = fields.One2many(
        "callgest.franchise.transfer", "franchisee_id", string="Transfer numbers"
    )
    callgest_is_franchisee = fields.Boolean(
        compute="_compute_callgest_is_franchisee",
        search="_search_callgest_is_franchisee",
    )

    @api.depends("callgest_is_professional", "parent_id.callgest_is_franchise_network")
    def _compute_callgest_is_franchisee(self):
        for partner in self:
            partner.callgest_is_franchisee = (
                partner.callgest_is_professional
                and partner.parent_id.callgest_is_franchise_network
            )

    def _search_callgest_is_franchisee(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search franchisees with = or != and a boolean."))
        domain = [
            ("callgest_is_professional", "=", True),
            ("parent_id.callgest_is_franchise_network", "=", True),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.constrains("callgest_is_franchise_network", "callgest_client_type")
    def _check_callgest_franchise_network(self):
        for partner in self.filtered("callgest_is_franchise_network"):
            if partner.callgest_client_type != "collective":
                raise ValidationError(
                    _(
                        "%(network)s: a franchise network is a collective client, "
                        "its franchisees are its professionals.",
                        network=partner.name,
                    )
                )

    # ------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------
    def _callgest_franchise_coordinates(self):
        """``(latitude, longitude)`` of a franchisee: those of
        base_geolocalize when set (by hand, or by its button), else its
        postal code or town in the offline table; ``(None, None)``."""
        self.ensure_one()
        if self.partner_latitude or self.partner_longitude:
            return self.partner_latitude, self.partner_longitude
        for query in (self.zip, self.city):
            place = franchise_routing.locate(query) if query else None
            if place is not None:
                return place.latitude, place.longitude
        return None, None

    def action_callgest_locate_offline(self):
        """Set the franchisees' coordinates from their postal code or town,
        with the offline table (no outside service)."""
        for franchisee in self:
            place = None
            for query in (franchisee.zip, franchisee.city):
                place = place or (franchise_routing.locate(query) if query else None)
            if place is None:
                raise UserError(
                    _(
                        "%(franchisee)s: neither its postal code nor its town is "
                        "in the offline table; enter its coordinates by hand.",
                        franchisee=franchisee.name,
                    )
                )
            franchisee.write(
                {
                    "partner_latitude": place.latitude,
                    "partner_longitude": place.longitude,
                    "date_localization": fields.Date.context_today(franchisee),
                }
            )
        return True

    def _callgest_franchise_hours(self, utc):
        """``(is_open, local moment, next change or None)`` of a franchisee
        at ``utc`` (naive), in its own timezone; without business hours it
        is always open."""
        self.ensure_one()
        tz_name = self.tz or self.callgest_calendar_id.tz or self.parent_id.tz or "UTC"
        _utc, local = hours.resolve_when(utc.isoformat() + "+00:00", tz_name)
        if not self.callgest_calendar_id:
            return True, local, None
        weekly, holidays = self.env["callgest.protocol"]._lookup_schedule(self, local)
        return (
            hours.is_open(local, weekly, holidays),
            local,
            hours.next_change(local, weekly, holidays),
        )

    def _callgest_franchise_route(self, query, utc):
        """The :class:`~..tools.franchise_routing.Route` of a caller of this
        network saying ``query`` at ``utc``, the franchisees by id, and their
        hours (``_callgest_franchise_hours``) by id."""
        self.ensure_one()
        franchisees = self.callgest_professional_ids.filtered("active")
        candidates = []
        hours_by_id = {}
        for franchisee in franchisees:
            latitude, longitude = franchisee._callgest_franchise_coordinates()
            hours_by_id[franchisee.id] = franchisee._callgest_franchise_hours(utc)
            candidates.append(
                franchise_routing.Franchisee(
                    franchisee.id,
                    franchisee.name,
                    tuple(area.key for area in franchisee.callgest_franchise_area_ids),
                    latitude,
                    longitude,
                    hours_by_id[franchisee.id][0],
                )
            )
        route = franchise_routing.route(
            query,
            candidates,
            self.callgest_franchise_fallback or franchise_routing.NEXT_OPEN,
        )
        return (
            route,
            {franchisee.id: franchisee for franchisee in franchisees},
            hours_by_id,
        )
