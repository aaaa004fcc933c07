from . import message_portal
from . import incident_portal
