from . import test_slots
from . import test_booking
from . import test_double_booking
from . import test_portal
from . import test_online_booking
from . import test_notices
