from . import callgest_quote
from . import callgest_quote_issue
from . import callgest_quote_line
from . import callgest_quote_request
from . import crm_lead
from . import res_partner
