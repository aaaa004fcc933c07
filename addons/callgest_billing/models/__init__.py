from . import callgest_tariff
from . import callgest_tariff_rate
from . import res_partner
