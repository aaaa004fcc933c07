from . import callgest_call
from . import callgest_franchise_routing
from . import callgest_usage
from . import res_partner
