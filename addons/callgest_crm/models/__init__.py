from . import crm_lead
from . import callgest_message
