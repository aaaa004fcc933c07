from . import change_request
