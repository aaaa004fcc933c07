from . import test_console_franchise
from . import test_ui
