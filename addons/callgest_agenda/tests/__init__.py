from . import test_slots
from . import test_booking
