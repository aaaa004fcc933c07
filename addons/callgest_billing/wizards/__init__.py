from . import callgest_invoicing_wizard
from . import callgest_deposit_settle_wizard
from . import callgest_usage_dispute_wizard
