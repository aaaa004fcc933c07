from . import res_partner
from . import crm_lead
from . import callgest_message
