from . import callgest_call_console
