from . import call_detail
