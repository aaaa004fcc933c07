from . import test_console_calls
