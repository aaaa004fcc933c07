from . import callgest_agenda_busy
from . import callgest_agenda_question
from . import resource_resource
from . import resource_booking_type
from . import resource_booking
from . import resource_booking_notice
from . import res_partner
