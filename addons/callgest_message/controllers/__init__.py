from . import message_portal
from . import incident_portal
from . import portal_recipient
