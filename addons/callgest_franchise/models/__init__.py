from . import callgest_call_item_mixin
from . import callgest_franchise_area
from . import callgest_franchise_routing
from . import callgest_franchise_transfer
from . import callgest_protocol
from . import callgest_recipient
from . import res_partner
