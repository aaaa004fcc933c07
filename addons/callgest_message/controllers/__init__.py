from . import portal_recipient
