from . import test_console
from . import test_ui
