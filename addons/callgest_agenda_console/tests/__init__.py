from . import test_console_agenda
from . import test_ui
