from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import rating

USAGES = [
    (rating.SECRETARY_L1, "Secretary time, level 1"),
    (rating.SECRETARY_L2, "Secretary time, level 2"),
    (rating.ROBOT, "Robot time"),
    (rating.TRANSFER_FIXED, "Transfer time to fixed numbers"),
    (rating.TRANSFER_MOBILE, "Transfer time to mobiles"),
    (rating.OUTBOUND_MANAGEMENT, "Outbound call management"),
    (rating.OUTBOUND_SETUP, "Outbound call setup"),
    (rating.OUTBOUND_FIXED, "Outbound call to national fixed numbers"),
    (rating.OUTBOUND_MOBILE, "Outbound call to mobiles"),
    (rating.MESSAGE_AUTO, "Automatic message"),
    (rating.MESSAGE_MANUAL, "Manual message"),
    (rating.DDI, "DDI"),
    (rating.DDI_EXTRA, "Extra DDI in a collective"),
    (rating.AGENDA_MODULE, "Agenda module (weekly half-day)"),
    (rating.SETUP_FEE, "Setup"),
    (rating.MINIMUM, "Minimum monthly billing per DDI"),
]
UNITS = [
    (rating.SECOND, "Second"),
    (rating.MINUTE, "Minute"),
    (rating.CALL, "Call"),
    (rating.MESSAGE, "Message"),
    (rating.MONTH, "Month"),
    (rating.UNIT, "Unit"),
]
ROUNDING_MODES = [
    (rating.UP, "A started block counts"),
    (rating.HALF_UP, "From half a block"),
    (rating.DOWN, "Only whole blocks"),
]


class CallgestTariffRate(models.Model):
    """One price of a tariff, for one usage, with its billing rules."""

    _name = "callgest.tariff.rate"
    _description = "CallGest tariff rate"
    _order = "tariff_id, sequence, id"
    _rec_name = "usage"

    tariff_id = fields.Many2one("callgest.tariff", required=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    usage = fields.Selection(USAGES, required=True)
    product_id = fields.Many2one(
        "product.product",
        required=True,
        help="What the invoice line sells: its taxes come from the product "
        "and the client's fiscal position.",
    )
    unit = fields.Selection(UNITS, required=True, default=rating.SECOND)
    price = fields.Float(
        digits=(16, 4), required=True, help="Price per unit, in the tariff's currency."
    )
    currency_id = fields.Many2one(related="tariff_id.currency_id")
    increment = fields.Integer(
        default=1, help="Time is billed in blocks of this many seconds."
    )
    rounding_mode = fields.Selection(
        ROUNDING_MODES,
        string="Partial block",
        default=rating.UP,
        required=True,
    )
    minimum_seconds = fields.Integer(
        string="Minimum billable seconds",
        help="A call with any time at all is billed at least this long.",
    )
    connect_fee = fields.Float(digits=(16, 4), help="Added once per call.")
    maximum_amount = fields.Float(
        digits=(16, 2), help="A cap on the amount of the usage (e.g. the agenda)."
    )

    _sql_constraints = [
        (
            "usage_uniq",
            "unique(tariff_id, usage)",
            "A tariff has one rate per usage.",
        ),
    ]

    @api.constrains(
        "unit", "price", "increment", "minimum_seconds", "connect_fee", "rounding_mode"
    )
    def _check_rating_rules(self):
        for rate in self:
            try:
                rate._to_rating()
            except ValueError as error:
                raise ValidationError(
                    _(
                        "The rate %(usage)s of %(tariff)s is not valid: %(error)s",
                        usage=dict(USAGES)[rate.usage],
                        tariff=rate.tariff_id.display_name,
                        error=error,
                    )
                ) from error

    def _to_rating(self):
        self.ensure_one()
        time_unit = self.unit in (rating.SECOND, rating.MINUTE)
        return rating.Rate(
            self.usage,
            self.unit,
            Decimal(repr(self.price)),
            increment=self.increment if time_unit else 1,
            minimum_seconds=self.minimum_seconds if time_unit else 0,
            connect_fee=Decimal(repr(self.connect_fee)),
            rounding_mode=self.rounding_mode if time_unit else rating.UP,
            maximum_amount=(
                Decimal(repr(self.maximum_amount)) if self.maximum_amount else None
            ),
        )
