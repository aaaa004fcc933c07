from . import test_slots
