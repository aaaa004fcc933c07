from . import change_request, portal
