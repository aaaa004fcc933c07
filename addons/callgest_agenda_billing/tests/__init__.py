from . import test_agenda_billing
