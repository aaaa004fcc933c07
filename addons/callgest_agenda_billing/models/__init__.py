from . import callgest_invoicing
from . import res_partner
from . import resource_calendar
