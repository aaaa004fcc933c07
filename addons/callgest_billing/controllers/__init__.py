from . import call_detail
from . import portal
