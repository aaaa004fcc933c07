from . import call_detail
from . import portal
from . import portal_prepaid
