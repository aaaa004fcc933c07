from . import test_online_booking
