from . import res_partner
from . import callgest_authorized_contact
from . import callgest_ddi
from . import resource_calendar
from . import resource_calendar_leaves
